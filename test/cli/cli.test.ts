// The CLI verbs as a user runs them: a real child process on a temporary data folder.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { settingSpecs } from "../../src/config";
import { FIXTURES, makeTempDir, runCli, startTestServer } from "../harness";

const dataDir = makeTempDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const cli = (...args: string[]) => runCli([...args, "--data", dataDir]);

test("version and help", async () => {
  const version = await runCli(["version"]);
  expect(version.code).toBe(0);
  expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const help = await runCli(["serve", "--help"]);
  expect(help.code).toBe(0);
  for (const spec of Object.values(settingSpecs)) {
    expect(help.stdout).toContain(spec.env);
    if ("flag" in spec) expect(help.stdout).toContain(spec.flag);
  }
  for (const verb of ["app import", "app list", "app export", "app delete", "key create", "key list", "key revoke"]) {
    expect(help.stdout).toContain(`kiln ${verb}`);
  }
});

test("unknown verbs and bad flags exit 2 with usage", async () => {
  expect((await runCli(["frobnicate"])).code).toBe(2);
  const bad = await runCli(["app", "list", "--nope"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("Usage:");
});

describe("app and key verbs", () => {
  test("import --json, list, export round trip, delete", async () => {
    const imported = await cli("app", "import", join(FIXTURES, "dsl/workflow.yml"), "--json");
    expect(imported.code).toBe(0);
    const line = JSON.parse(imported.stdout);
    expect(Object.keys(line)).toEqual(["app_id", "api_key", "mode", "name"]);
    expect(line).toMatchObject({ mode: "workflow", name: "Review router" });
    expect(line.api_key).toMatch(/^app-[A-Za-z0-9]{24}$/);

    const listed = JSON.parse((await cli("app", "list", "--json")).stdout);
    expect(listed.map((app: { app_id: string }) => app.app_id)).toContain(line.app_id);

    const exported = await cli("app", "export", line.app_id);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("mode: workflow");
    const file = join(dataDir, "exported.yml");
    writeFileSync(file, exported.stdout);
    const reimported = JSON.parse((await cli("app", "import", file, "--json")).stdout);
    expect(reimported).toMatchObject({ mode: "workflow", name: "Review router" });
    expect(reimported.app_id).not.toBe(line.app_id);

    expect((await cli("app", "delete", line.app_id)).code).toBe(0);
    const after = JSON.parse((await cli("app", "list", "--json")).stdout);
    expect(after.map((app: { app_id: string }) => app.app_id)).not.toContain(line.app_id);
    const again = await cli("app", "delete", line.app_id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("no app with id");
  });

  test("import of an invalid file fails clearly and leaves nothing behind", async () => {
    const before = JSON.parse((await cli("app", "list", "--json")).stdout).length;
    const file = join(dataDir, "broken.yml");
    writeFileSync(file, 'version: "0.6.0"\napp: { name: x, mode: workflow }\nworkflow: { graph: { nodes: [] } }\n');
    const result = await cli("app", "import", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kiln: workflow graph: /);
    expect((await cli("app", "import", join(dataDir, "missing.yml"))).stderr).toContain("cannot read");
    expect(JSON.parse((await cli("app", "list", "--json")).stdout).length).toBe(before);
  });

  test("keys: create, list, revoke", async () => {
    const { app_id } = JSON.parse((await cli("app", "import", join(FIXTURES, "dsl/chat.yml"), "--json")).stdout);
    const created = JSON.parse((await cli("key", "create", app_id, "--json")).stdout);
    expect(created.api_key).toMatch(/^app-[A-Za-z0-9]{24}$/);
    const keys = JSON.parse((await cli("key", "list", app_id, "--json")).stdout);
    expect(keys.map((key: { api_key: string }) => key.api_key)).toContain(created.api_key);
    expect(keys).toHaveLength(2);
    expect((await cli("key", "revoke", created.api_key)).code).toBe(0);
    expect((await cli("key", "revoke", created.api_key)).stderr).toContain("no such API key");
    expect(JSON.parse((await cli("key", "list", app_id, "--json")).stdout)).toHaveLength(1);
    expect((await cli("key", "create", "no-such-app")).code).toBe(1);
  });
});

test("keys created and revoked by the CLI take effect on a running server within seconds", async () => {
  const server = await startTestServer({ KILN_KEY_CACHE_TTL_MS: "300" });
  try {
    const { appId } = server.importApp("chat.yml");
    const created = await runCli(["key", "create", appId, "--json", "--data", server.dataDir]);
    const key = JSON.parse(created.stdout).api_key;
    expect((await server.request("/v1/info", { key })).status).toBe(200);
    expect((await runCli(["key", "revoke", key, "--data", server.dataDir])).code).toBe(0);
    await Bun.sleep(600);
    expect((await server.request("/v1/info", { key })).status).toBe(401);
  } finally {
    await server.stop();
  }
});
