// POST /v1/chat-messages and its stop route over HTTP on the built-in model (service-api.md
// §4.4–§4.5, §5.1, §6.2, §7, §11).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { conversations, messages } from "../../src/store/schema";
import { startTestServer, type TestServer } from "../harness";
import { allFrames, dataEvents, dataEventsWith, sseFrames } from "../sse";

let server: TestServer;
let chat: { appId: string; apiKey: string };
let slow: { appId: string; apiKey: string };
beforeAll(async () => {
  server = await startTestServer({ KILN_PING_INTERVAL_MS: "30" });
  chat = server.importApp("chat.yml");
  slow = server.importApp("slow-chat.yml");
});
afterAll(() => server.stop());

const ask = (key: string, body: Record<string, unknown>) => server.request("/v1/chat-messages", { method: "POST", key, json: body });
const messageRow = (id: string) => server.services.db.select().from(messages).where(eq(messages.id, id)).get();
const conversationRow = (id: string) => server.services.db.select().from(conversations).where(eq(conversations.id, id)).get();

async function waitFor<T>(read: () => T | undefined, accept: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = read();
    if (value !== undefined && accept(value)) return value;
    await Bun.sleep(20);
  }
  throw new Error("condition never held");
}

describe("blocking", () => {
  test("answers with the §6.2 shape and continues a conversation", async () => {
    const first = await ask(chat.apiKey, { inputs: { company: "Acme" }, query: "Grüße from Kiln", user: "u1" });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const text = await first.text();
    expect(text).toContain("Gr\\u00fc\\u00dfe"); // ASCII-escaped like Dify's json.dumps
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual(["event", "task_id", "id", "message_id", "conversation_id", "mode", "answer", "metadata", "created_at"]);
    expect(body).toMatchObject({ event: "message", mode: "chat", answer: "Grüße from Kiln" });
    expect(body.id).toBe(body.message_id);
    expect(Object.keys(body.metadata)).toEqual(["annotation_reply", "retriever_resources", "usage"]);
    expect(body.metadata.usage.completion_tokens).toBeGreaterThan(0);
    expect(typeof body.metadata.usage.total_price).toBe("number");

    const second = await (await ask(chat.apiKey, { inputs: { company: "Acme" }, query: "again", user: "u1", conversation_id: body.conversation_id })).json();
    expect(second.conversation_id).toBe(body.conversation_id);
    expect(second.answer).toBe("again");
    const conversation = conversationRow(body.conversation_id)!;
    expect(conversation.dialogueCount).toBe(2);
    expect(conversation.inputs).toEqual({ company: "Acme", tone: null, budget: null, notes: null });
    expect(conversation.introduction).toBe("Hi! Ask me about Acme.");
  });

  test("the message row keeps answer, tokens, price, latency and the trace id", async () => {
    const response = await ask(chat.apiKey, { inputs: { company: "Acme" }, query: "persist me", user: "u1", trace_id: "trace-abc_1" });
    const body = await response.json();
    const row = messageRow(body.id)!;
    expect(row).toMatchObject({ answer: "persist me", status: "normal", error: null, traceId: "trace-abc_1", query: "persist me" });
    expect(row.answerTokens).toBe(body.metadata.usage.completion_tokens);
    expect(row.messageTokens).toBe(body.metadata.usage.prompt_tokens);
    expect((row.metadata as { usage: { total_price: string } }).usage.total_price).toBe("0.0");
  });

  test("the X-Trace-Id header wins over the body", async () => {
    const response = await ask(chat.apiKey, { inputs: { company: "A" }, query: "t", user: "u1", trace_id: "from-body" });
    const viaHeader = await server.request("/v1/chat-messages", {
      method: "POST", key: chat.apiKey, headers: { "X-Trace-Id": "from-header" },
      json: { inputs: { company: "A" }, query: "t", user: "u1", trace_id: "from-body" },
    });
    expect(messageRow((await response.json()).id)!.traceId).toBe("from-body");
    expect(messageRow((await viaHeader.json()).id)!.traceId).toBe("from-header");
  });
});

describe("request errors", () => {
  const expectError = async (response: Response, status: number, code: string, message?: string | RegExp) => {
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(Object.keys(body)).toEqual(["code", "message", "status"]);
    expect(body.code).toBe(code);
    expect(body.status).toBe(status);
    if (typeof message === "string") expect(body.message).toBe(message);
    else if (message) expect(body.message).toMatch(message);
  };

  test("wrong content type → 415; empty and malformed JSON → 400 bad_request; non-object → 400", async () => {
    const post = (body: string, type = "application/json") =>
      server.request("/v1/chat-messages", { method: "POST", key: chat.apiKey, headers: { "Content-Type": type }, body });
    await expectError(await post('{"query":"x"}', "text/plain"), 415, "unsupported_media_type",
      "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.");
    await expectError(await post(""), 400, "bad_request", "Invalid JSON payload received or JSON payload is empty.");
    await expectError(await post("{not json"), 400, "bad_request", /^Failed to decode JSON object: /);
    await expectError(await post("[1,2]"), 400, "invalid_param");
    await expectError(await post("null"), 400, "invalid_param");
  });

  test("auth comes before the payload: a bad key with a bad body is a 401", async () => {
    const response = await server.request("/v1/chat-messages", { method: "POST", key: "app-nope", headers: { "Content-Type": "application/json" }, body: "{bad" });
    expect(response.status).toBe(401);
  });

  test("user is required", async () => {
    await expectError(await ask(chat.apiKey, { inputs: {}, query: "hi" }), 400, "invalid_param", "Arg user must be provided.");
    await expectError(await ask(chat.apiKey, { inputs: {}, query: "hi", user: "" }), 400, "invalid_param", "Arg user must be provided.");
  });

  test("validation failures name the field", async () => {
    await expectError(await ask(chat.apiKey, { inputs: { company: "A" }, user: "u" }), 400, "invalid_param", /^query: /);
    await expectError(await ask(chat.apiKey, { inputs: { company: "A" }, query: 5, user: "u" }), 400, "invalid_param", /^query: /);
    await expectError(await ask(chat.apiKey, { inputs: "x", query: "q", user: "u" }), 400, "invalid_param", /^inputs: /);
    await expectError(await ask(chat.apiKey, { inputs: {}, query: "q", user: "u", response_mode: "fast" }), 400, "invalid_param", /^response_mode: /);
    await expectError(await ask(chat.apiKey, { inputs: { company: "A" }, query: "", user: "u" }), 400, "invalid_param", "query is required");
  });

  test.each([
    [{}, "company is required in input form"],
    [{ company: "x".repeat(17) }, "company in input form must be less than 16 characters"],
    [{ company: 7 }, "(type 'text-input') company in input form must be a string"],
    [{ company: "A", tone: "angry" }, "tone in input form must be one of the following: ['formal', 'casual']"],
    [{ company: "A", budget: "lots" }, "budget in input form must be a valid number"],
    [{ company: "A", notes: { a: 1 } }, 'Invalid input type for ["notes"]'],
  ])("inputs %j → %s", async (inputs, message) => {
    await expectError(await ask(chat.apiKey, { inputs, query: "q", user: "u" }), 400, "invalid_param", message);
  });

  test("conversation_id must be a UUID of this app and user", async () => {
    await expectError(await ask(chat.apiKey, { inputs: { company: "A" }, query: "q", user: "u", conversation_id: "abc" }), 400, "invalid_param", "conversation_id must be a valid UUID");
    await expectError(await ask(chat.apiKey, { inputs: { company: "A" }, query: "q", user: "u", conversation_id: crypto.randomUUID() }), 404, "not_found", "Conversation Not Exists.");
    const mine = await (await ask(chat.apiKey, { inputs: { company: "A" }, query: "mine", user: "owner" })).json();
    await expectError(await ask(chat.apiKey, { inputs: { company: "A" }, query: "q", user: "intruder", conversation_id: mine.conversation_id }), 404, "not_found", "Conversation Not Exists.");
    const other = server.importApp("chat.yml");
    await expectError(await ask(other.apiKey, { inputs: { company: "A" }, query: "q", user: "owner", conversation_id: mine.conversation_id }), 404, "not_found", "Conversation Not Exists.");
    // A blank conversation_id starts a new conversation.
    const fresh = await (await ask(chat.apiKey, { inputs: { company: "A" }, query: "q", user: "owner", conversation_id: "  " })).json();
    expect(fresh.conversation_id).not.toBe(mine.conversation_id);
  });

  test("mode checks: a workflow app is not a chat app; agent-chat cannot block", async () => {
    const workflow = server.importApp("workflow.yml");
    await expectError(await ask(workflow.apiKey, { inputs: {}, query: "q", user: "u" }), 400, "not_chat_app", "Please check if your app mode matches the right API route.");
    const agent = server.importApp("agent-chat.yml");
    await expectError(await ask(agent.apiKey, { inputs: {}, query: "q", user: "u" }), 400, "invalid_param", "Agent Chat App does not support blocking mode");
  });

  test("a model provider that is not configured → 400 provider_not_initialize before any stream", async () => {
    const text = (await Bun.file(`${import.meta.dir}/../fixtures/dsl/chat.yml`).text()).replace("provider: builtin, name: echo", "provider: langgenius/openai/openai, name: gpt-4o");
    const app = server.importApp(text);
    for (const response_mode of ["blocking", "streaming"]) {
      await expectError(await ask(app.apiKey, { inputs: { company: "A" }, query: "q", user: "u", response_mode }), 400, "provider_not_initialize");
    }
  });

  test("a model failure: blocking → its code; streaming → an error event, and the message is saved as error", async () => {
    const text = (await Bun.file(`${import.meta.dir}/../fixtures/dsl/chat.yml`).text()).replace("name: echo, mode: chat, completion_params: {}", 'name: "error:provider_quota_exceeded", mode: chat, completion_params: { error_message: "quota gone" }');
    const app = server.importApp(text);
    const blocking = await ask(app.apiKey, { inputs: { company: "A" }, query: "q", user: "u" });
    expect(blocking.status).toBe(400);
    expect((await blocking.json()).code).toBe("provider_quota_exceeded");
    const events = await dataEvents(await ask(app.apiKey, { inputs: { company: "A" }, query: "q", user: "u", response_mode: "streaming" }));
    expect(events).toHaveLength(1);
    expect(Object.keys(events[0])).toEqual(["event", "conversation_id", "message_id", "created_at", "code", "status", "message"]);
    expect(events[0]).toMatchObject({ event: "error", code: "provider_quota_exceeded", status: 400 });
    expect(events[0].message).toContain("quota gone");
    expect(messageRow(events[0].message_id)).toMatchObject({ status: "error" });
  });
});

describe("streaming", () => {
  test("message deltas concatenate to the answer, then message_end with string prices", async () => {
    const response = await ask(chat.apiKey, { inputs: { company: "A" }, query: "one two three four", user: "s1", response_mode: "streaming" });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const frames = await allFrames(response);
    for (const frame of frames) expect(frame.raw === "event: ping" || /^data: \{.*\}$/.test(frame.raw)).toBe(true);
    const events = frames.flatMap((frame) => (frame.data ? [frame.data] : []));
    const deltas = events.filter((event) => event.event === "message");
    expect(deltas.map((event) => event.answer)).toEqual(["one ", "two ", "three ", "four"]);
    expect(Object.keys(deltas[0])).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "id", "answer", "from_variable_selector"]);
    const end = events.at(-1)!;
    expect(end.event).toBe("message_end");
    expect(Object.keys(end)).toEqual(["event", "conversation_id", "message_id", "created_at", "task_id", "id", "metadata", "files"]);
    expect(typeof end.metadata.usage.total_price).toBe("string");
    expect(end.files).toBeNull();
    expect(new Set(events.map((event) => event.task_id)).size).toBe(1);
    expect(messageRow(end.id)).toMatchObject({ answer: "one two three four", status: "normal" });
  });

  test("a slow stream carries ping frames", async () => {
    const frames = await allFrames(await ask(slow.apiKey, { inputs: {}, query: "a b c d e", user: "p1", response_mode: "streaming" }));
    expect(frames.some((frame) => frame.raw === "event: ping")).toBe(true);
    expect(frames.at(-1)?.data?.event).toBe("message_end");
  });

  test("stop mid-stream ends with message_end and saves the partial answer as stopped", async () => {
    const response = await ask(slow.apiKey, { inputs: {}, query: "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12", user: "stopper", response_mode: "streaming" });
    const events = await dataEventsWith(response, "message", async (first) => {
      // Another user's stop is ignored (§11.4)…
      expect(await (await server.request(`/v1/chat-messages/${first.task_id}/stop`, { method: "POST", key: slow.apiKey, json: { user: "someone-else" } })).json()).toEqual({ result: "success" });
      await Bun.sleep(60);
      // …the owner's is not.
      const stop = await server.request(`/v1/chat-messages/${first.task_id}/stop`, { method: "POST", key: slow.apiKey, json: { user: "stopper" } });
      expect(await stop.json()).toEqual({ result: "success" });
    });
    const end = events.at(-1)!;
    expect(end.event).toBe("message_end");
    const answer = events.filter((event) => event.event === "message").map((event) => event.answer).join("");
    expect(answer.length).toBeGreaterThan(0);
    expect(answer.length).toBeLessThan("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12".length);
    expect(messageRow(end.id)).toMatchObject({ status: "stopped", answer });
  });

  test("stopping unknown or finished tasks answers success", async () => {
    for (const taskId of ["nope", crypto.randomUUID()]) {
      const response = await server.request(`/v1/chat-messages/${taskId}/stop`, { method: "POST", key: chat.apiKey, json: { user: "u" } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ result: "success" });
    }
    const missingUser = await server.request(`/v1/chat-messages/x/stop`, { method: "POST", key: chat.apiKey, json: {} });
    expect(missingUser.status).toBe(400);
  });

  test("a client that disconnects mid-stream still gets its message generated and saved", async () => {
    const controller = new AbortController();
    const response = await server.request("/v1/chat-messages", {
      method: "POST", key: slow.apiKey, signal: controller.signal,
      json: { inputs: {}, query: "left before the end of this answer", user: "leaver", response_mode: "streaming" },
    });
    let messageId = "";
    for await (const frame of sseFrames(response)) {
      if (frame.data?.event === "message") {
        messageId = frame.data.id;
        break;
      }
    }
    controller.abort();
    const row = await waitFor(() => messageRow(messageId), (row) => row.answer === "left before the end of this answer");
    expect(row.status).toBe("normal");
  });
});

describe("conversation names", () => {
  test("the first name is the query cut to 20 characters, then the generated name replaces it", async () => {
    const query = "Tell me everything about kilns and pottery";
    const body = await (await ask(chat.apiKey, { inputs: { company: "A" }, query, user: "namer" })).json();
    const conversation = await waitFor(() => conversationRow(body.conversation_id), (row) => row.name !== "Tell me everything a…");
    // The echo model answers the naming prompt with the query itself.
    expect(conversation.name).toBe(query);
    const unnamed = await (await ask(chat.apiKey, { inputs: { company: "A" }, query, user: "namer", auto_generate_name: false })).json();
    await Bun.sleep(100);
    expect(conversationRow(unnamed.conversation_id)!.name).toBe("Tell me everything a…");
  });
});
