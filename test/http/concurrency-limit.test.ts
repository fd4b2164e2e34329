// The per-app concurrency limit (service-api.md §11.1): 429 too_many_requests; slots released on
// finish, failure and disconnect.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { apps } from "../../src/store/schema";
import { startTestServer, type TestServer } from "../harness";
import { sseFrames } from "../sse";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ APP_MAX_ACTIVE_REQUESTS: "1" });
});
afterAll(() => server.stop());

const slowStream = (key: string, signal?: AbortSignal) =>
  server.request("/v1/chat-messages", { method: "POST", key, signal, json: { inputs: {}, query: "a b c d e f", user: "u", response_mode: "streaming" } });
const quick = (key: string) => server.request("/v1/chat-messages", { method: "POST", key, json: { inputs: {}, query: "hi", user: "u" } });

async function firstDelta(response: Response) {
  for await (const frame of sseFrames(response)) if (frame.data?.event === "message") return frame.data;
  throw new Error("no delta");
}

test("a second request while one runs gets 429; the slot frees when the first finishes", async () => {
  const { appId, apiKey } = server.importApp("slow-chat.yml");
  const running = await slowStream(apiKey);
  const rejected = await quick(apiKey);
  expect(rejected.status).toBe(429);
  expect(await rejected.json()).toEqual({
    code: "too_many_requests",
    message: `Too many requests. Please try again later. The current maximum concurrent requests allowed for ${appId} is 1.`,
    status: 429,
  });
  // Another app has its own slots.
  const other = server.importApp("chat.yml");
  expect((await quick(other.apiKey)).status).not.toBe(429);
  await running.text();
  expect((await quick(apiKey)).status).toBe(200);
});

test("a disconnect frees the slot at once", async () => {
  const { apiKey } = server.importApp("slow-chat.yml");
  const controller = new AbortController();
  await firstDelta(await slowStream(apiKey, controller.signal));
  controller.abort();
  let status = 429;
  for (let attempt = 0; attempt < 50 && status === 429; attempt++) {
    await Bun.sleep(10);
    status = (await quick(apiKey)).status;
  }
  expect(status).toBe(200);
});

test("a failed request frees its slot; a per-app limit below the global one wins", async () => {
  const { appId, apiKey } = server.importApp("chat.yml");
  const bad = await server.request("/v1/chat-messages", { method: "POST", key: apiKey, json: { inputs: {}, query: "q", user: "u" } });
  expect(bad.status).toBe(400); // company is required
  expect((await server.request("/v1/chat-messages", { method: "POST", key: apiKey, json: { inputs: { company: "A" }, query: "q", user: "u" } })).status).toBe(200);
  server.services.db.update(apps).set({ maxActiveRequests: 5 }).where(eq(apps.id, appId)).run();
  const app = server.services.db.select().from(apps).where(eq(apps.id, appId)).get()!;
  expect(server.services.concurrency.limitFor(app)).toBe(1);
});
