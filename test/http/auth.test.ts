// Every auth failure row of service-api.md §2.2, in the order Dify checks them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { apiKeys, apps } from "../../src/store/schema";
import { eq } from "drizzle-orm";
import { revokeApiKey } from "../../src/store/api-keys";
import { startTestServer, type TestServer } from "../harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ KILN_KEY_CACHE_TTL_MS: "150" });
});
afterAll(() => server.stop());

async function expectError(response: Response, status: number, code: string, message: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  expect(await response.json()).toEqual({ code, message, status });
}

describe("bearer header", () => {
  test.each([
    ["missing", undefined],
    ["scheme only", "Bearer"],
    ["empty", ""],
  ])("%s → 401 with WWW-Authenticate", async (_name, header) => {
    const response = await server.request("/v1/info", { headers: header === undefined ? {} : { Authorization: header } });
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    await expectError(response, 401, "unauthorized", "Authorization header must be provided and start with 'Bearer'");
  });

  test("another scheme → 401", async () => {
    const response = await server.request("/v1/info", { headers: { Authorization: "Basic app-abc" } });
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    await expectError(response, 401, "unauthorized", "Authorization scheme must be 'Bearer'");
  });

  test("unknown token, malformed token and a dataset-style key → 401", async () => {
    for (const token of ["app-AAAAAAAAAAAAAAAAAAAAAAAA", "nonsense", "ds-AAAAAAAAAAAAAAAAAAAAAAAA"]) {
      await expectError(await server.request("/v1/info", { key: token }), 401, "unauthorized", "Access token is invalid");
    }
  });

  test("the scheme is case-insensitive and a valid key works", async () => {
    const { apiKey } = server.importApp("chat.yml");
    expect(apiKey).toMatch(/^app-[A-Za-z0-9]{24}$/);
    const response = await server.request("/v1/info", { headers: { Authorization: `bearer ${apiKey}` } });
    expect(response.status).toBe(200);
    expect((await response.json()).name).toBe("Helper chat");
  });

  test("a key that is a prefix or extension of a real key is refused", async () => {
    const { apiKey } = server.importApp("chat.yml");
    await expectError(await server.request("/v1/info", { key: apiKey.slice(0, -1) }), 401, "unauthorized", "Access token is invalid");
    await expectError(await server.request("/v1/info", { key: `${apiKey}x` }), 401, "unauthorized", "Access token is invalid");
  });
});

describe("app checks", () => {
  test("a key whose app row is gone → 403", async () => {
    const { sqlite, db } = server.services;
    sqlite.exec("PRAGMA foreign_keys = OFF");
    const token = "app-ORPHANORPHANORPHANORPHAN".slice(0, 28);
    db.insert(apiKeys).values({ id: crypto.randomUUID(), appId: crypto.randomUUID(), token, createdAt: 1 }).run();
    sqlite.exec("PRAGMA foreign_keys = ON");
    await expectError(await server.request("/v1/info", { key: token }), 403, "forbidden", "The app no longer exists.");
  });

  test("an app whose status is not normal → 403", async () => {
    const { appId, apiKey } = server.importApp("chat.yml");
    server.services.db.update(apps).set({ status: "archived" }).where(eq(apps.id, appId)).run();
    await expectError(await server.request("/v1/info", { key: apiKey }), 403, "forbidden", "The app's status is abnormal.");
  });

  test("an app with its API disabled → 403", async () => {
    const { appId, apiKey } = server.importApp("chat.yml");
    server.services.db.update(apps).set({ enableApi: false }).where(eq(apps.id, appId)).run();
    await expectError(await server.request("/v1/info", { key: apiKey }), 403, "forbidden", "The app's API service has been disabled.");
  });

  test("a revoked key stops working once the cache TTL has passed", async () => {
    const { apiKey } = server.importApp("chat.yml");
    expect((await server.request("/v1/info", { key: apiKey })).status).toBe(200);
    expect(revokeApiKey(server.services.db, apiKey)).toBe(true);
    await Bun.sleep(400);
    await expectError(await server.request("/v1/info", { key: apiKey }), 401, "unauthorized", "Access token is invalid");
  });

  test("a key for app A sees app A only", async () => {
    const a = server.importApp("chat.yml");
    const b = server.importApp("workflow.yml");
    expect((await (await server.request("/v1/info", { key: a.apiKey })).json()).mode).toBe("chat");
    expect((await (await server.request("/v1/info", { key: b.apiKey })).json()).mode).toBe("workflow");
  });

  test("last_used_at is recorded", async () => {
    const { apiKey } = server.importApp("chat.yml");
    await server.request("/v1/info", { key: apiKey });
    const row = server.services.db.select().from(apiKeys).where(eq(apiKeys.token, apiKey)).get();
    expect(row?.lastUsedAt).toBeGreaterThan(0);
  });
});
