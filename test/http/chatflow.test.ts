// Advanced-chat apps (chatflows) over HTTP: multi-turn conversation variables, branches on
// sys.dialogue_count, LLM memory, the streamed event order, stop, failures, the variables API and
// isolation (service-api.md §4.4, §4.20–§4.21, §6.3, §7.4–§7.5).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { messages } from "../../src/store/schema";
import { startFakeServer, type FakeServer } from "../models/fake-server";
import { fixture, startTestServer, type TestServer } from "../harness";
import { allFrames, dataEvents, dataEventsWith } from "../sse";

let server: TestServer;
let provider: FakeServer;
let vars: { appId: string; apiKey: string };
let llm: { appId: string; apiKey: string };

beforeAll(async () => {
  provider = startFakeServer((request) => {
    const body = request.body as { messages: { content: string }[] };
    const reply = `reply to ${body.messages.at(-1)!.content}`;
    return Response.json({ id: "x", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } });
  });
  server = await startTestServer({ OPENAI_BASE_URL: `${provider.url}/v1`, OPENAI_API_KEY: "sk-x" });
  vars = server.importApp("chatflow-vars.yml");
  llm = server.importApp("chatflow-llm.yml");
});
afterAll(async () => {
  await server.stop();
  provider.stop();
});

const say = (key: string, body: Record<string, unknown>) => server.request("/v1/chat-messages", { method: "POST", key, json: { inputs: {}, ...body } });
const variables = (key: string, conversationId: string, user: string, query = "") =>
  server.request(`/v1/conversations/${conversationId}/variables?user=${user}${query}`, { key });

describe("turns", () => {
  test("variables accumulate across turns and the first turn branches on sys.dialogue_count", async () => {
    const first = await (await say(vars.apiKey, { query: "alpha", user: "v1" })).json();
    expect(first).toMatchObject({ event: "message", mode: "advanced-chat", answer: "Welcome! count=1 previous=" });
    const second = await (await say(vars.apiKey, { query: "beta", user: "v1", conversation_id: first.conversation_id })).json();
    // Answers render arrays as markdown lists (workflow-engine §1.9).
    expect(second.answer).toBe("Again! count=2 previous=alpha seen=- alpha\n- beta");
    const third = await (await say(vars.apiKey, { query: "gamma", user: "v1", conversation_id: first.conversation_id })).json();
    expect(third.answer).toBe("Again! count=3 previous=beta seen=- alpha\n- beta\n- gamma");
    // A new conversation starts from the declared defaults.
    const other = await (await say(vars.apiKey, { query: "fresh", user: "v1" })).json();
    expect(other.answer).toBe("Welcome! count=1 previous=");
  });

  test("a streamed turn: leading ping, workflow events, message deltas, workflow_finished, message_end", async () => {
    const frames = await allFrames(await say(vars.apiKey, { query: "stream me", user: "v2", response_mode: "streaming" }));
    expect(frames[0].raw).toBe("event: ping");
    const events = frames.flatMap((frame) => (frame.data ? [frame.data] : []));
    const names = events.map((event) => event.event);
    expect(names[0]).toBe("workflow_started");
    expect(names.slice(-2)).toEqual(["workflow_finished", "message_end"]);
    expect(Object.keys(events[0])).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "workflow_run_id", "data"]);
    expect(events[0].data.inputs).toMatchObject({ "sys.query": "stream me", "sys.dialogue_count": 1, "sys.user_id": "v2", "sys.files": [] });
    expect(events[0].data.inputs["sys.conversation_id"]).toBeUndefined();
    const deltas = events.filter((event) => event.event === "message");
    expect(Object.keys(deltas[0])).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "id", "answer", "from_variable_selector"]);
    expect(deltas.map((event) => event.answer).join("")).toBe("Welcome! count=1 previous=");
    const nodes = events.filter((event) => event.event === "node_finished").map((event) => event.data.node_id);
    expect(nodes).toEqual(["start", "remember", "first_turn", "welcome", "store_query"]);
    const end = events.at(-1)!;
    expect(Object.keys(end)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "id", "metadata", "files"]);
    expect(end.files).toEqual([]);
    // The chatflow's run is a workflow run, visible through the run route.
    const run = await (await server.request(`/v1/workflows/run/${events[0].workflow_run_id}`, { key: vars.apiKey })).json();
    expect(run).toMatchObject({ id: events[0].workflow_run_id, status: "succeeded", outputs: { answer: "Welcome! count=1 previous=" } });
    const row = server.services.db.select().from(messages).where(eq(messages.id, end.id)).get()!;
    expect(row).toMatchObject({ answer: "Welcome! count=1 previous=", workflowRunId: events[0].workflow_run_id, status: "normal" });
  });

  test("LLM-node memory carries the earlier turns to the model", async () => {
    const app = server.importApp(fixture("dsl/chatflow-llm.yml").replace("provider: builtin, name: echo, mode: chat, completion_params: { delay_ms: 30 }", "provider: openai, name: gpt-4o, mode: chat, completion_params: {}"));
    const first = await (await say(app.apiKey, { query: "one", user: "m1", auto_generate_name: false })).json();
    expect(first.answer).toBe("reply to one");
    expect(first.metadata.usage.total_tokens).toBe(10);
    await say(app.apiKey, { query: "two", user: "m1", conversation_id: first.conversation_id, auto_generate_name: false });
    const sent = provider.requests.at(-1)!.body as { messages: unknown[] };
    expect(sent.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "one" },
      { role: "assistant", content: "reply to one" },
      { role: "user", content: "two" },
    ]);
  });

  test("stop mid-answer: workflow_finished stopped, then message_end; the partial answer is saved", async () => {
    const response = await say(llm.apiKey, { query: "a b c d e f g h i j k l m n o p", user: "s1", response_mode: "streaming" });
    const events = await dataEventsWith(response, "message", async (first) => {
      await server.request(`/v1/chat-messages/${first.task_id}/stop`, { method: "POST", key: llm.apiKey, json: { user: "s1" } });
    });
    const names = events.map((event) => event.event);
    expect(names.slice(-2)).toEqual(["workflow_finished", "message_end"]);
    expect(events.at(-2)!.data).toMatchObject({ status: "stopped", error: "Stopped by user." });
    const answer = events.filter((event) => event.event === "message").map((event) => event.answer).join("");
    const row = server.services.db.select().from(messages).where(eq(messages.id, events.at(-1)!.id)).get()!;
    expect(row.status).toBe("stopped");
    expect(row.answer).toBe(answer);
    expect(answer.length).toBeLessThan("a b c d e f g h i j k l m n o p".length);
  });

  test("a failed run: workflow_finished failed then an error event; blocking answers 400 Run failed", async () => {
    const app = server.importApp("chatflow-fails.yml");
    const events = await dataEvents(await say(app.apiKey, { query: "go", user: "f1", response_mode: "streaming" }));
    expect(events.map((event) => event.event).slice(-2)).toEqual(["workflow_finished", "error"]);
    expect(events.at(-2)!.data.status).toBe("failed");
    const error = events.at(-1)!;
    expect(Object.keys(error)).toEqual(["event", "conversation_id", "message_id", "created_at", "code", "status", "message"]);
    expect(error).toMatchObject({ code: "invalid_param", status: 400 });
    expect(error.message).toStartWith("Run failed: ");
    expect(error.message).toContain("no luck today");
    const blocking = await say(app.apiKey, { query: "go", user: "f1" });
    expect(blocking.status).toBe(400);
    expect((await blocking.json()).message).toContain("Run failed: ");
  });

  test("workflow_id selects a published version; bad or unknown ids get the contract errors", async () => {
    const [workflowId] = [server.services.db.query.apps.findFirst({ where: (apps, { eq }) => eq(apps.id, vars.appId) }).sync()!.workflowId!];
    expect((await (await say(vars.apiKey, { query: "v", user: "w1", workflow_id: workflowId })).json()).answer).toStartWith("Welcome!");
    const bad = await say(vars.apiKey, { query: "v", user: "w1", workflow_id: "nope" });
    expect(await bad.json()).toEqual({ code: "bad_request", message: "Invalid workflow_id format: 'nope'. ", status: 400 });
    const unknown = crypto.randomUUID();
    const missing = await say(vars.apiKey, { query: "v", user: "w1", workflow_id: unknown });
    expect(await missing.json()).toEqual({ code: "not_found", message: `Workflow not found with id: ${unknown}`, status: 404 });
  });

  test("messages and conversations routes list chatflow turns", async () => {
    const first = await (await say(vars.apiKey, { query: "listed", user: "l1", auto_generate_name: false })).json();
    const list = await (await server.request(`/v1/messages?conversation_id=${first.conversation_id}&user=l1`, { key: vars.apiKey })).json();
    expect(list.data.map((item: { answer: string }) => item.answer)).toEqual(["Welcome! count=1 previous="]);
    const conversations = await (await server.request("/v1/conversations?user=l1", { key: vars.apiKey })).json();
    expect(conversations.data[0]).toMatchObject({ id: first.conversation_id, introduction: "Hello!" });
  });
});

describe("conversation variables API", () => {
  let conversationId: string;
  beforeAll(async () => {
    conversationId = (await (await say(vars.apiKey, { query: "setup", user: "api" })).json()).conversation_id;
  });

  test("lists every variable with string values as text and others as JSON, oldest first", async () => {
    const body = await (await variables(vars.apiKey, conversationId, "api")).json();
    expect(body.has_more).toBe(false);
    expect(body.data.map((item: { name: string }) => item.name)).toEqual(["last_query", "count", "seen", "greeted", "profile", "scores", "notes"]);
    const byName = Object.fromEntries(body.data.map((item: { name: string }) => [item.name, item]));
    expect(Object.keys(byName.count)).toEqual(["id", "name", "value_type", "value", "description", "created_at", "updated_at"]);
    expect(byName.last_query).toMatchObject({ value_type: "string", value: "setup", description: "the previous query" });
    expect(byName.count).toMatchObject({ value_type: "number", value: "1" });
    expect(byName.seen).toMatchObject({ value_type: "array[string]", value: '["setup"]' });
    expect(byName.greeted).toMatchObject({ value_type: "boolean", value: "true" });
    expect(byName.profile).toMatchObject({ value_type: "object", value: '{"tier":"free"}' });
  });

  test("paging with limit and last_id, and the name filter", async () => {
    const first = await (await variables(vars.apiKey, conversationId, "api", "&limit=3")).json();
    expect(first.data).toHaveLength(3);
    expect(first.has_more).toBe(true);
    const rest = await (await variables(vars.apiKey, conversationId, "api", `&limit=10&last_id=${first.data[2].id}`)).json();
    expect(rest.data.map((item: { name: string }) => item.name)).toEqual(["greeted", "profile", "scores", "notes"]);
    const filtered = await (await variables(vars.apiKey, conversationId, "api", "&variable_name=OT")).json();
    expect(filtered.data.map((item: { name: string }) => item.name)).toEqual(["notes"]);
    expect((await variables(vars.apiKey, conversationId, "api", "&variable_name=a%27b")).status).toBe(400);
    expect((await variables(vars.apiKey, conversationId, "api", "&limit=0")).status).toBe(400);
    const unknownCursor = await variables(vars.apiKey, conversationId, "api", `&last_id=${crypto.randomUUID()}`);
    expect(await unknownCursor.json()).toEqual({ code: "invalid_param", message: "", status: 400 });
  });

  test.each([
    ["last_query", "a new query", "a new query"],
    ["count", 41.5, "41.5"],
    ["greeted", false, "false"],
    ["profile", { tier: "pro", seats: [1, 2] }, '{"tier":"pro","seats":[1,2]}'],
    ["seen", ["x", "y"], '["x","y"]'],
    ["scores", [3.5, 4], "[3.5,4]"],
    ["notes", [{ a: 1 }], '[{"a":1}]'],
  ])("PUT %s round-trips and the next turn sees it", async (name, value, shown) => {
    const list = await (await variables(vars.apiKey, conversationId, "api")).json();
    const variable = list.data.find((item: { name: string }) => item.name === name);
    const response = await server.request(`/v1/conversations/${conversationId}/variables/${variable.id}`, { method: "PUT", key: vars.apiKey, json: { value, user: "api" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: variable.id, name, value: shown });
    const again = await (await variables(vars.apiKey, conversationId, "api")).json();
    expect(again.data.find((item: { name: string }) => item.name === name).value).toBe(shown);
  });

  test("a written value reaches the next turn", async () => {
    const list = await (await variables(vars.apiKey, conversationId, "api")).json();
    const lastQuery = list.data.find((item: { name: string }) => item.name === "last_query");
    await server.request(`/v1/conversations/${conversationId}/variables/${lastQuery.id}`, { method: "PUT", key: vars.apiKey, json: { value: "planted", user: "api" } });
    const turn = await (await say(vars.apiKey, { query: "next", user: "api", conversation_id: conversationId })).json();
    expect(turn.answer).toContain("previous=planted");
  });

  test.each([
    ["count", "12", "Type mismatch: variable 'count' expects number, but got string type"],
    ["greeted", 1, "Type mismatch: variable 'greeted' expects boolean, but got integer type"],
    ["seen", [1], "Type mismatch: variable 'seen' expects array[string], but got array[number] type"],
    ["profile", [], "Type mismatch: variable 'profile' expects object, but got array[any] type"],
    ["last_query", null, "Type mismatch: variable 'last_query' expects string, but got none type"],
  ])("PUT %s with a wrong type → 400 bad_request", async (name, value, message) => {
    const list = await (await variables(vars.apiKey, conversationId, "api")).json();
    const variable = list.data.find((item: { name: string }) => item.name === name);
    const response = await server.request(`/v1/conversations/${conversationId}/variables/${variable.id}`, { method: "PUT", key: vars.apiKey, json: { value, user: "api" } });
    expect(await response.json()).toEqual({ code: "bad_request", message, status: 400 });
  });

  test("unknown conversation or variable → 404; another user or app sees nothing", async () => {
    const list = await (await variables(vars.apiKey, conversationId, "api")).json();
    const variableId = list.data[0].id;
    const notFound = async (response: Response, message: string) => {
      expect(response.status).toBe(404);
      expect((await response.json()).message).toBe(message);
    };
    await notFound(await variables(vars.apiKey, crypto.randomUUID(), "api"), "Conversation Not Exists.");
    await notFound(await variables(vars.apiKey, conversationId, "intruder"), "Conversation Not Exists.");
    await notFound(await variables(llm.apiKey, conversationId, "api"), "Conversation Not Exists.");
    await notFound(
      await server.request(`/v1/conversations/${conversationId}/variables/${crypto.randomUUID()}`, { method: "PUT", key: vars.apiKey, json: { value: "x", user: "api" } }),
      "Conversation Variable Not Exists.",
    );
    await notFound(
      await server.request(`/v1/conversations/${conversationId}/variables/${variableId}`, { method: "PUT", key: vars.apiKey, json: { value: "x", user: "intruder" } }),
      "Conversation Not Exists.",
    );
    // Another conversation of the same user has its own values.
    const other = await (await say(vars.apiKey, { query: "other", user: "api" })).json();
    const otherList = await (await variables(vars.apiKey, other.conversation_id, "api")).json();
    expect(otherList.data.find((item: { name: string }) => item.name === "count").value).toBe("1");
  });

  test("chat apps have no conversation variables", async () => {
    const chat = server.importApp("chat.yml");
    const turn = await (await say(chat.apiKey, { inputs: { company: "A" }, query: "q", user: "c" })).json();
    expect(await (await variables(chat.apiKey, turn.conversation_id, "c")).json()).toEqual({ limit: 20, has_more: false, data: [] });
  });
});
