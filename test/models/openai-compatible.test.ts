import { afterEach, describe, expect, test } from "bun:test";
import { KilnError } from "../../src/errors.ts";
import { invokeChat } from "../../src/models/invoke-chat.ts";
import { OpenAICompatibleProvider } from "../../src/models/openai-compatible.ts";
import { UNPRICED } from "../../src/models/usage.ts";
import { countPromptTokens } from "../../src/models/tokenizer.ts";
import type { ChatEvent, ChatRequest } from "../../src/models/types.ts";
import {
  collect,
  eventsAndFailure,
  failureOf,
  type FakeServer,
  jsonResponse,
  piecewiseResponse,
  splitAtBytes,
  splitEvery,
  startFakeServer,
} from "./fake-server.ts";

const API_KEY = "sk-test-secret-key-0123456789";
let server: FakeServer | undefined;
afterEach(() => server?.stop());

function provider(url: string, timeouts?: { timeoutMs?: number; idleTimeoutMs?: number }) {
  return new OpenAICompatibleProvider({ name: "openai", baseUrl: `${url}/v1/`, apiKey: API_KEY, timeouts });
}

const sse = (chunks: unknown[], done = true) =>
  chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join("") + (done ? "data: [DONE]\n\n" : "");

const delta = (content: Record<string, unknown>, finish: string | null = null) => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  choices: [{ index: 0, delta: content, finish_reason: finish }],
});
const usageChunk = (prompt: number, completion: number) => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
});

const simpleRequest: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] };

function isKilnError(error: unknown, code: string): error is KilnError {
  return error instanceof KilnError && error.code === code;
}

describe("OpenAI-compatible provider", () => {
  test("streams text cut at awkward byte boundaries and reads the usage chunk", async () => {
    const texts = ["Grüße, ", "世界", "! 🎉 done"];
    const body = sse([
      delta({ role: "assistant", content: "" }),
      ...texts.map((text) => delta({ content: text })),
      delta({}, "stop"),
      usageChunk(12, 7),
    ]);
    const bytes = new TextEncoder().encode(body);
    const multibyte = body.indexOf("世");
    const offsets = [
      // Inside the JSON of the second chunk, inside "世" (3 UTF-8 bytes), inside 🎉 (4 bytes).
      body.indexOf('"content":"Grüße') + 5,
      new TextEncoder().encode(body.slice(0, multibyte)).length + 1,
      new TextEncoder().encode(body.slice(0, body.indexOf("🎉"))).length + 2,
      // Between the two newlines that end an event.
      new TextEncoder().encode(body.slice(0, body.indexOf("\n\n"))).length + 1,
    ];
    expect(offsets.every((offset) => offset < bytes.length)).toBe(true);
    server = startFakeServer(() => piecewiseResponse(splitAtBytes(body, offsets)));
    const events = await collect(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([
      ...texts.map((text): ChatEvent => ({ type: "text", text })),
      { type: "finish", reason: "stop", tokens: { promptTokens: 12, completionTokens: 7 } },
    ]);
  });

  test("gives the same events when every 3 bytes arrive apart", async () => {
    const body = sse([delta({ content: "naïve café — ok" }), delta({}, "stop"), usageChunk(3, 4)]);
    server = startFakeServer(() => piecewiseResponse(splitEvery(body, 3)));
    const events = await collect(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([
      { type: "text", text: "naïve café — ok" },
      { type: "finish", reason: "stop", tokens: { promptTokens: 3, completionTokens: 4 } },
    ]);
  });

  test("sends the model, messages, mapped parameters, image parts, tools and the key", async () => {
    server = startFakeServer(() => piecewiseResponse([sse([delta({ content: "ok" }, "stop"), usageChunk(1, 1)])]));
    await collect(
      provider(server.url).chat({
        model: "gpt-4o",
        messages: [
          { role: "system", content: "Be brief." },
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image", url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" },
            ],
          },
          {
            role: "assistant",
            content: "",
            toolCalls: [{ id: "call_1", name: "lookup", arguments: '{"q":"cat"}' }],
          },
          { role: "tool", content: "a cat", toolCallId: "call_1" },
        ],
        tools: [{ name: "lookup", description: "Look a thing up", parameters: { type: "object", properties: { q: { type: "string" } } } }],
        parameters: {
          temperature: 0.2,
          top_p: 0.9,
          max_tokens: 64,
          stop: ["END"],
          presence_penalty: 0.1,
          frequency_penalty: 0.3,
          seed: 7,
          response_format: "json_schema",
          json_schema: '{"name":"answer","schema":{"type":"object"}}',
          logit_bias: { "42": -100 },
          top_k: null,
        },
      }),
    );
    const [received] = server.requests;
    expect(received.path).toBe("/v1/chat/completions");
    expect(received.headers.get("authorization")).toBe(`Bearer ${API_KEY}`);
    expect(received.body).toEqual({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"cat"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "a cat" },
      ],
      tools: [
        {
          type: "function",
          function: { name: "lookup", description: "Look a thing up", parameters: { type: "object", properties: { q: { type: "string" } } } },
        },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
      stop: ["END"],
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      seed: 7,
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } },
      logit_bias: { "42": -100 },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  test("assembles parallel tool calls from argument deltas spread over chunks", async () => {
    const body = sse([
      delta({ role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      delta({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "get_time", arguments: '{"tz"' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      delta({ tool_calls: [{ index: 1, function: { arguments: ':"CET"}' } }] }),
      delta({}, "tool_calls"),
      usageChunk(40, 22),
    ]);
    server = startFakeServer(() => piecewiseResponse(splitEvery(body, 17)));
    const events = await collect(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([
      { type: "tool_call", call: { id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' } },
      { type: "tool_call", call: { id: "call_b", name: "get_time", arguments: '{"tz":"CET"}' } },
      { type: "finish", reason: "tool_calls", tokens: { promptTokens: 40, completionTokens: 22 } },
    ]);
  });

  test("turns reasoning_content deltas into reasoning events", async () => {
    const body = sse([
      delta({ reasoning_content: "Think " }),
      delta({ reasoning_content: "hard." }),
      delta({ content: "Answer." }),
      delta({}, "stop"),
      usageChunk(5, 9),
    ]);
    server = startFakeServer(() => piecewiseResponse([body]));
    const events = await collect(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([
      { type: "reasoning", text: "Think " },
      { type: "reasoning", text: "hard." },
      { type: "text", text: "Answer." },
      { type: "finish", reason: "stop", tokens: { promptTokens: 5, completionTokens: 9 } },
    ]);
  });

  test("counts tokens itself when the server sends no usage", async () => {
    server = startFakeServer(() => piecewiseResponse([sse([delta({ content: "Hello world" }), delta({}, "stop")])]));
    const events = await collect(provider(server.url).chat(simpleRequest));
    // "Hello world" is two cl100k tokens.
    expect(events.at(-1)).toEqual({
      type: "finish",
      reason: "stop",
      tokens: { promptTokens: await countPromptTokens(simpleRequest.messages), completionTokens: 2 },
    });
  });

  test("understands a server that answers one JSON body despite stream: true", async () => {
    server = startFakeServer(() =>
      jsonResponse(200, {
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: "Whole answer", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 8, completion_tokens: 3 },
      }),
    );
    const events = await collect(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([
      { type: "text", text: "Whole answer" },
      { type: "tool_call", call: { id: "c1", name: "f", arguments: "{}" } },
      { type: "finish", reason: "tool_calls", tokens: { promptTokens: 8, completionTokens: 3 } },
    ]);
  });

  const errorCases = [
    {
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${API_KEY}.`, type: "invalid_request_error", param: null, code: "invalid_api_key" } },
      code: "provider_not_initialize",
      message: "openai: Incorrect API key provided: ***.",
    },
    {
      status: 404,
      body: { error: { message: "The model `gpt-9` does not exist or you do not have access to it.", type: "invalid_request_error", param: null, code: "model_not_found" } },
      code: "model_currently_not_support",
      message: "openai: The model `gpt-9` does not exist or you do not have access to it.",
    },
    {
      status: 429,
      body: { error: { message: "You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", param: null, code: "insufficient_quota" } },
      code: "provider_quota_exceeded",
      message: "openai: You exceeded your current quota, please check your plan and billing details.",
    },
    {
      status: 402,
      body: { error: { message: "Insufficient credits. Add more using https://openrouter.ai/credits", code: 402 } },
      code: "provider_quota_exceeded",
      message: "openai: Insufficient credits. Add more using https://openrouter.ai/credits",
    },
    {
      status: 500,
      body: { error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null } },
      code: "completion_request_error",
      message: "openai: The server had an error while processing your request.",
    },
    {
      status: 400,
      body: { error: { message: "model 'llama9' not found", type: "api_error", param: null, code: "model_not_found" } },
      code: "model_currently_not_support",
      message: "openai: model 'llama9' not found",
    },
  ];
  for (const errorCase of errorCases) {
    test(`maps HTTP ${errorCase.status} (${errorCase.code}) and keeps the key out of the message`, async () => {
      server = startFakeServer(() => jsonResponse(errorCase.status, errorCase.body));
      const error = await failureOf(provider(server.url).chat(simpleRequest));
      expect(isKilnError(error, errorCase.code)).toBe(true);
      expect((error as KilnError).message).toBe(errorCase.message);
      expect((error as KilnError).message).not.toContain(API_KEY);
    });
  }

  test("maps an error object sent inside the stream", async () => {
    const body = sse([delta({ content: "par" }), { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }], false);
    server = startFakeServer(() => piecewiseResponse([body]));
    const { events, failure } = await eventsAndFailure(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([{ type: "text", text: "par" }]);
    expect(isKilnError(failure, "provider_quota_exceeded")).toBe(true);
  });

  test("fails with completion_request_error when the stream is cut mid-way", async () => {
    const body = sse([delta({ content: "Hello" }), delta({ content: " wor" })], false);
    server = startFakeServer(() => piecewiseResponse([body, 'data: {"choices":[{"delta":{"cont']));
    const error = await failureOf(provider(server.url).chat(simpleRequest));
    expect(isKilnError(error, "completion_request_error")).toBe(true);
  });

  test("fails with completion_request_error on a malformed chunk", async () => {
    server = startFakeServer(() => piecewiseResponse(["data: {not json}\n\n"]));
    const error = await failureOf(provider(server.url).chat(simpleRequest));
    expect(isKilnError(error, "completion_request_error")).toBe(true);
    expect((error as Error).message).toBe("openai: malformed stream chunk from the server");
  });

  test("times out when the server never answers", async () => {
    server = startFakeServer(() => new Promise<Response>(() => {}));
    const error = await failureOf(provider(server.url, { timeoutMs: 150 }).chat(simpleRequest));
    expect(isKilnError(error, "completion_request_error")).toBe(true);
    expect((error as Error).message).toBe("openai: no response within 150 ms");
  });

  test("times out when the stream goes silent", async () => {
    server = startFakeServer(() => piecewiseResponse([sse([delta({ content: "Hi" })], false)], { hang: true }));
    const { events, failure } = await eventsAndFailure(provider(server.url, { idleTimeoutMs: 150 }).chat(simpleRequest));
    expect(events).toEqual([{ type: "text", text: "Hi" }]);
    expect(isKilnError(failure, "completion_request_error")).toBe(true);
    expect((failure as Error).message).toBe("openai: no data for 150 ms, stream abandoned");
  });

  test("fails with completion_request_error when the connection is refused", async () => {
    const closed = startFakeServer(() => new Response("unused"));
    const url = closed.url;
    closed.stop();
    const error = await failureOf(provider(url).chat(simpleRequest));
    expect(isKilnError(error, "completion_request_error")).toBe(true);
  });

  test("an abort ends the answer with what was generated and finish reason stop", async () => {
    server = startFakeServer(() => piecewiseResponse([sse([delta({ content: "Partial answer" })], false)], { hang: true }));
    const controller = new AbortController();
    const outcome = await invokeChat(
      { provider: provider(server.url), model: "gpt-4o-mini", pricing: UNPRICED },
      { messages: simpleRequest.messages, signal: controller.signal },
      (event) => {
        if (event.type === "text") controller.abort();
      },
    );
    expect(outcome.text).toBe("Partial answer");
    expect(outcome.finishReason).toBe("stop");
    expect(outcome.usage.completion_tokens).toBe(2);
  });

  test("embeds a batch of texts in input order", async () => {
    server = startFakeServer(() =>
      jsonResponse(200, {
        object: "list",
        data: [
          { object: "embedding", index: 1, embedding: [0.3, 0.4] },
          { object: "embedding", index: 0, embedding: [0.1, 0.2] },
        ],
        usage: { prompt_tokens: 6, total_tokens: 6 },
      }),
    );
    const result = await provider(server.url).embed({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(result).toEqual({ embeddings: [[0.1, 0.2], [0.3, 0.4]], tokens: 6 });
    expect(server.requests[0].path).toBe("/v1/embeddings");
    expect(server.requests[0].body).toEqual({ model: "text-embedding-3-small", input: ["a", "b"] });
  });

  test("a key whose env variable is unset fails with provider_not_initialize before any request", async () => {
    server = startFakeServer(() => new Response("unused"));
    const unconfigured = new OpenAICompatibleProvider({ name: "ollama", baseUrl: server.url, apiKeyProblem: "the environment variable OLLAMA_KEY (api_key_env) is not set" });
    const error = await failureOf(unconfigured.chat(simpleRequest));
    expect(isKilnError(error, "provider_not_initialize")).toBe(true);
    expect((error as Error).message).toContain("OLLAMA_KEY");
    expect(server.requests).toHaveLength(0);
  });
});
