// A chat app imported from a DSL naming `openai` answers through a local server speaking the
// OpenAI wire format when OPENAI_BASE_URL points at it (issue 3's end-to-end check), and its
// conversation memory reaches the model.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeServer, type FakeServer } from "../models/fake-server";
import { fixture, startTestServer, type TestServer } from "../harness";
import { dataEvents } from "../sse";

let provider: FakeServer;
let server: TestServer;

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", model: "gpt-4o", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

beforeAll(async () => {
  provider = startFakeServer((request) => {
    const body = request.body as { messages: { role: string; content: string }[] };
    const last = body.messages.at(-1)!.content;
    const stream =
      chunk({ role: "assistant", content: "" }) +
      chunk({ content: "You said: " }) +
      chunk({ content: String(last) }, "stop") +
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 } })}\n\n` +
      "data: [DONE]\n\n";
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  });
  server = await startTestServer({ OPENAI_BASE_URL: `${provider.url}/v1`, OPENAI_API_KEY: "sk-test-secret" });
});
afterAll(async () => {
  await server.stop();
  provider.stop();
});

test("blocking and streaming answers come from the provider, with its usage", async () => {
  const app = server.importApp(fixture("dsl/chat.yml").replace("provider: builtin, name: echo", "provider: langgenius/openai/openai, name: gpt-4o"));
  const first = await (await server.request("/v1/chat-messages", { method: "POST", key: app.apiKey, json: { inputs: { company: "Acme" }, query: "hello", user: "u", auto_generate_name: false } })).json();
  expect(first.answer).toBe("You said: hello");
  expect(first.metadata.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });

  const sent = provider.requests.at(-1)!;
  expect(sent.path).toBe("/v1/chat/completions");
  expect(sent.headers.get("authorization")).toBe("Bearer sk-test-secret");
  expect((sent.body as { model: string }).model).toBe("gpt-4o");
  expect((sent.body as { messages: unknown[] }).messages).toEqual([
    { role: "system", content: "You are a concise assistant for Acme." },
    { role: "user", content: "hello" },
  ]);

  const events = await dataEvents(
    await server.request("/v1/chat-messages", {
      method: "POST", key: app.apiKey,
      json: { inputs: { company: "Acme" }, query: "again", user: "u", conversation_id: first.conversation_id, response_mode: "streaming" },
    }),
  );
  expect(events.filter((event) => event.event === "message").map((event) => event.answer).join("")).toBe("You said: again");
  // The second turn carries the first as memory.
  const second = provider.requests.filter((request) => request.path === "/v1/chat/completions").at(-1)!;
  expect((second.body as { messages: unknown[] }).messages).toEqual([
    { role: "system", content: "You are a concise assistant for Acme." },
    { role: "user", content: "hello" },
    { role: "assistant", content: "You said: hello" },
    { role: "user", content: "again" },
  ]);
});
