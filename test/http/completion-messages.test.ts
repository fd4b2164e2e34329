// POST /v1/completion-messages and its stop route (service-api.md §4.2–§4.3, §6.1, §7.2).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../harness";
import { dataEvents } from "../sse";

let server: TestServer;
let completion: { appId: string; apiKey: string };
// completion.yml names langgenius/openai/openai; the override runs it on the built-in model.
beforeAll(async () => {
  server = await startTestServer({ KILN_MODEL_OVERRIDE: "builtin/echo" });
  completion = server.importApp("completion.yml");
});
afterAll(() => server.stop());

const complete = (key: string, body: Record<string, unknown>) => server.request("/v1/completion-messages", { method: "POST", key, json: body });

test("blocking: the prompt is the template with inputs filled, in the §6.1 shape", async () => {
  const response = await complete(completion.apiKey, { inputs: { language: "French", text: "hello" }, user: "c1" });
  expect(response.status).toBe(200);
  const body = await response.json();
  expect(Object.keys(body)).toEqual(["event", "task_id", "id", "message_id", "mode", "answer", "metadata", "created_at"]);
  expect(body).toMatchObject({ event: "message", mode: "completion", answer: "Translate into French: hello" });
});

test("streaming: envelope without conversation_id", async () => {
  const events = await dataEvents(await complete(completion.apiKey, { inputs: { language: "German", text: "bye" }, user: "c1", response_mode: "streaming" }));
  expect(Object.keys(events[0])).toEqual(["event", "message_id", "created_at", "task_id", "id", "answer", "from_variable_selector"]);
  expect(events.filter((event) => event.event === "message").map((event) => event.answer).join("")).toBe("Translate into German: bye");
  expect(events.at(-1)!.event).toBe("message_end");
});

test("a missing inputs object is {}; required inputs are still enforced", async () => {
  const response = await complete(completion.apiKey, { user: "c1" });
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ code: "invalid_param", message: "language is required in input form", status: 400 });
});

test("the query is appended to the prompt when given", async () => {
  const body = await (await complete(completion.apiKey, { inputs: { language: "French", text: "x" }, query: "and more", user: "c1" })).json();
  expect(body.answer).toBe("Translate into French: x\nand more");
});

test("other modes get app_unavailable on completion routes (§13.1), and chat routes refuse completion apps", async () => {
  const chat = server.importApp("chat.yml");
  const response = await complete(chat.apiKey, { inputs: {}, user: "u" });
  expect(await response.json()).toEqual({ code: "app_unavailable", message: "App unavailable, please check your app configurations.", status: 400 });
  const stop = await server.request("/v1/completion-messages/t/stop", { method: "POST", key: chat.apiKey, json: { user: "u" } });
  expect((await stop.json()).code).toBe("app_unavailable");
  const wrongRoute = await server.request("/v1/chat-messages", { method: "POST", key: completion.apiKey, json: { inputs: {}, query: "q", user: "u" } });
  expect((await wrongRoute.json()).code).toBe("not_chat_app");
});

test("stop answers success for any task id", async () => {
  const response = await server.request(`/v1/completion-messages/${crypto.randomUUID()}/stop`, { method: "POST", key: completion.apiKey, json: { user: "c1" } });
  expect(await response.json()).toEqual({ result: "success" });
});
