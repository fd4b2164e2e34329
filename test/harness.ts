/**
 * The shared test harness: starts a real Kiln HTTP server on a random port over a temporary data
 * folder (real SQLite, real files), imports DSL files into it, and talks to it over HTTP.
 * The CLI is exercised as a real child process through `runCli`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings } from "../src/config";
import { importApp } from "../src/dsl/import-app";
import { parseDsl } from "../src/dsl/parse-dsl";
import { startHttpServer, type RunningServer } from "../src/http/server";
import { createServices, type Services } from "../src/services";

export const FIXTURES = join(import.meta.dir, "fixtures");
export const REPO_ROOT = join(import.meta.dir, "..");

export function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), "utf8");
}

export function makeTempDir(prefix = "kiln-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestApp {
  appId: string;
  apiKey: string;
}

export interface TestServer {
  url: string;
  dataDir: string;
  services: Services;
  /** Imports DSL text, or a file of test/fixtures/dsl by name (`chat.yml`), and returns the app id and a key. */
  importApp(dslOrFixture: string): TestApp;
  /** fetch against the server with an optional bearer key. */
  request(path: string, init?: RequestInit & { key?: string; json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startTestServer(env: Record<string, string | undefined> = {}): Promise<TestServer> {
  const dataDir = makeTempDir();
  const settings = loadSettings({ "--port": "0", "--data": dataDir }, { ...env });
  const services = createServices(settings);
  const server: RunningServer = startHttpServer(services);
  return {
    url: server.url,
    dataDir,
    services,
    importApp(dslOrFixture) {
      const text = dslOrFixture.endsWith(".yml") ? fixture(join("dsl", dslOrFixture)) : dslOrFixture;
      const { app, apiKey } = importApp(services.db, parseDsl(text));
      return { appId: app.id, apiKey };
    },
    request(path, init = {}) {
      const { key, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set("Authorization", `Bearer ${key}`);
      if (json !== undefined) headers.set("Content-Type", "application/json");
      return fetch(server.url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
    async stop() {
      await server.stop();
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the CLI as a child process (`bun src/main.ts …`) and collects its output. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn([process.execPath, join(REPO_ROOT, "src/main.ts"), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}
