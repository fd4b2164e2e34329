// Cross-cutting HTTP behaviour: the error envelope for unknown routes and unexpected failures,
// CORS and the version headers (service-api.md §1, §3).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

test("GET /health and GET /v1/ need no key", async () => {
  const health = await server.request("/health");
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok", pid: process.pid });
  const root = await server.request("/v1/");
  expect(await root.json()).toMatchObject({ welcome: "Dify OpenAPI", api_version: "v1" });
});

test("unknown routes answer a JSON 404", async () => {
  for (const path of ["/nope", "/v1/nope", "/v1/info/extra"]) {
    const response = await server.request(path);
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(Object.keys(body)).toEqual(["code", "message", "status"]);
    expect(body.code).toBe("not_found");
  }
});

test("every response carries X-Version and CORS headers; preflight is answered", async () => {
  const response = await server.request("/health");
  expect(response.headers.get("x-version")).toMatch(/^\d+\.\d+\.\d+$/);
  expect(response.headers.get("access-control-allow-origin")).toBe("*");
  const preflight = await server.request("/v1/chat-messages", {
    method: "OPTIONS",
    headers: { Origin: "http://example.test", "Access-Control-Request-Method": "POST" },
  });
  expect(preflight.status).toBe(200);
  expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");
  expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
});

test("an unexpected failure is a 500 `unknown` that leaks nothing, and the server lives on", async () => {
  const { apiKey } = server.importApp("chat.yml");
  const originalError = console.error;
  const logged: unknown[][] = [];
  console.error = (...args: unknown[]) => void logged.push(args);
  server.services.sqlite.exec("ALTER TABLE apps RENAME TO apps_moved_away");
  try {
    const response = await server.request("/v1/info", { key: apiKey, headers: { "X-Trace-Id": "trace-500-check" } });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ message: "Internal Server Error", code: "unknown", status: 500 });
    expect(text).not.toContain("apps");
    expect(String(logged[0]?.[0])).toContain("trace-500-check");
  } finally {
    server.services.sqlite.exec("ALTER TABLE apps_moved_away RENAME TO apps");
    console.error = originalError;
  }
  expect((await server.request("/health")).status).toBe(200);
});

test("integer query parameters must be written as integers", async () => {
  const { apiKey } = server.importApp("chat.yml");
  for (const limit of ["1.5", "0x10", "2e1", "ten"]) {
    const response = await server.request(`/v1/conversations?user=u&limit=${limit}`, { key: apiKey });
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe("invalid_param");
  }
  expect((await server.request("/v1/conversations?user=u&limit=3", { key: apiKey })).status).toBe(200);
});
