import { afterEach, describe, expect, test } from "bun:test";
import { KilnError } from "../../src/errors.ts";
import { AnthropicProvider } from "../../src/models/anthropic.ts";
import type { ChatEvent, ChatRequest } from "../../src/models/types.ts";
import { collect, eventsAndFailure, failureOf, type FakeServer, jsonResponse, piecewiseResponse, splitEvery, startFakeServer } from "./fake-server.ts";

const API_KEY = "sk-ant-test-secret-0123456789";
let server: FakeServer | undefined;
afterEach(() => server?.stop());

function provider(url: string, timeouts?: { timeoutMs?: number; idleTimeoutMs?: number }) {
  return new AnthropicProvider({ name: "anthropic", baseUrl: url, apiKey: API_KEY, timeouts });
}

/** Anthropic's framing: a named event line plus the JSON data, which repeats the type. */
const sse = (events: Array<Record<string, unknown>>) =>
  events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");

const messageStart = (inputTokens: number) => ({
  type: "message_start",
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    content: [],
    model: "claude-sonnet-4-5",
    stop_reason: null,
    usage: { input_tokens: inputTokens, output_tokens: 1 },
  },
});
const textBlock = (index: number, texts: string[]) => [
  { type: "content_block_start", index, content_block: { type: "text", text: "" } },
  ...texts.map((text) => ({ type: "content_block_delta", index, delta: { type: "text_delta", text } })),
  { type: "content_block_stop", index },
];
const messageEnd = (stopReason: string, outputTokens: number) => [
  { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } },
  { type: "message_stop" },
];

const simpleRequest: ChatRequest = { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }] };

function isKilnError(error: unknown, code: string): error is KilnError {
  return error instanceof KilnError && error.code === code;
}

describe("Anthropic provider", () => {
  test("streams thinking and text split every 5 bytes, with usage from message_start and message_delta", async () => {
    const body = sse([
      messageStart(25),
      { type: "ping" },
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Let me think…" } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "EqQBCgIYAhIM" } },
      { type: "content_block_stop", index: 0 },
      ...textBlock(1, ["Bonjour ", "à ", "vous 👋"]),
      ...messageEnd("end_turn", 15),
    ]);
    server = startFakeServer(() => piecewiseResponse(splitEvery(body, 5)));
    const events = await collect(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([
      { type: "reasoning", text: "Let me think…" },
      { type: "text", text: "Bonjour " },
      { type: "text", text: "à " },
      { type: "text", text: "vous 👋" },
      { type: "finish", reason: "stop", tokens: { promptTokens: 25, completionTokens: 15 } },
    ]);
  });

  test("assembles tool_use input from input_json_delta chunks, for parallel calls", async () => {
    const body = sse([
      messageStart(300),
      ...textBlock(0, ["Checking."]),
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "" } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city": "Pa' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: 'ris"}' } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_2", name: "get_time", input: {} } },
      { type: "content_block_stop", index: 2 },
      ...messageEnd("tool_use", 80),
    ]);
    server = startFakeServer(() => piecewiseResponse(splitEvery(body, 11)));
    const events = await collect(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([
      { type: "text", text: "Checking." },
      { type: "tool_call", call: { id: "toolu_1", name: "get_weather", arguments: '{"city": "Paris"}' } },
      { type: "tool_call", call: { id: "toolu_2", name: "get_time", arguments: "{}" } },
      { type: "finish", reason: "tool_calls", tokens: { promptTokens: 300, completionTokens: 80 } },
    ]);
  });

  test("sends system, tool results, tool uses, images, tools, parameters and the headers", async () => {
    server = startFakeServer(() => piecewiseResponse([sse([messageStart(1), ...textBlock(0, ["ok"]), ...messageEnd("end_turn", 1)])]));
    await collect(
      provider(server.url).chat({
        model: "claude-sonnet-4-5",
        messages: [
          { role: "system", content: "Be brief." },
          {
            role: "user",
            content: [
              { type: "text", text: "Compare these." },
              { type: "image", url: "data:image/jpeg;base64,/9j/4AAQ" },
              { type: "image", url: "https://example.com/cat.png" },
            ],
          },
          {
            role: "assistant",
            content: "Looking.",
            toolCalls: [
              { id: "toolu_1", name: "lookup", arguments: '{"q":"cat"}' },
              { id: "toolu_2", name: "lookup", arguments: '{"q":"dog"}' },
            ],
          },
          { role: "tool", content: "a cat", toolCallId: "toolu_1" },
          { role: "tool", content: "a dog", toolCallId: "toolu_2" },
        ],
        tools: [{ name: "lookup", description: "Look a thing up", parameters: { type: "object" } }],
        parameters: { temperature: 0.5, top_p: 0.8, stop: ["END"], top_k: 40, presence_penalty: 0.3, seed: 1 },
      }),
    );
    const [received] = server.requests;
    expect(received.path).toBe("/v1/messages");
    expect(received.headers.get("x-api-key")).toBe(API_KEY);
    expect(received.headers.get("anthropic-version")).toBe("2023-06-01");
    expect(received.body).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      stream: true,
      system: "Be brief.",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare these." },
            { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Looking." },
            { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "cat" } },
            { type: "tool_use", id: "toolu_2", name: "lookup", input: { q: "dog" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "a cat" },
            { type: "tool_result", tool_use_id: "toolu_2", content: "a dog" },
          ],
        },
      ],
      tools: [{ name: "lookup", description: "Look a thing up", input_schema: { type: "object" } }],
      temperature: 0.5,
      top_p: 0.8,
      stop_sequences: ["END"],
      top_k: 40,
    });
  });

  const errorCases = [
    { status: 401, type: "authentication_error", message: "invalid x-api-key", code: "provider_not_initialize" },
    { status: 403, type: "permission_error", message: "Your API key does not have permission to use the specified resource.", code: "provider_not_initialize" },
    { status: 404, type: "not_found_error", message: "model: claude-9", code: "model_currently_not_support" },
    { status: 429, type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit", code: "provider_quota_exceeded" },
    { status: 500, type: "api_error", message: "Internal server error", code: "completion_request_error" },
    { status: 529, type: "overloaded_error", message: "Overloaded", code: "completion_request_error" },
  ];
  for (const errorCase of errorCases) {
    test(`maps HTTP ${errorCase.status} ${errorCase.type} to ${errorCase.code}`, async () => {
      server = startFakeServer(() =>
        jsonResponse(errorCase.status, { type: "error", error: { type: errorCase.type, message: errorCase.message }, request_id: "req_1" }),
      );
      const error = await failureOf(provider(server.url).chat(simpleRequest));
      expect(isKilnError(error, errorCase.code)).toBe(true);
      expect((error as Error).message).toBe(`anthropic: ${errorCase.message}`);
    });
  }

  test("maps an error event inside the stream after text was sent", async () => {
    const body = sse([
      messageStart(3),
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Half" } },
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    ]);
    server = startFakeServer(() => piecewiseResponse([body]));
    const { events, failure } = await eventsAndFailure(provider(server.url).chat(simpleRequest));
    expect(events).toEqual([{ type: "text", text: "Half" }]);
    expect(isKilnError(failure, "completion_request_error")).toBe(true);
    expect((failure as Error).message).toBe("anthropic: Overloaded");
  });

  test("fails with completion_request_error when the stream is cut before message_stop", async () => {
    const body = sse([messageStart(3), ...textBlock(0, ["Hello"])]);
    server = startFakeServer(() => piecewiseResponse([body, "event: content_block_delta\ndata: {\"type\":\"conte"]));
    const error = await failureOf(provider(server.url).chat(simpleRequest));
    expect(isKilnError(error, "completion_request_error")).toBe(true);
  });

  test("times out when the server never answers", async () => {
    server = startFakeServer(() => new Promise<Response>(() => {}));
    const error = await failureOf(provider(server.url, { timeoutMs: 150 }).chat(simpleRequest));
    expect(isKilnError(error, "completion_request_error")).toBe(true);
    expect((error as Error).message).toBe("anthropic: no response within 150 ms");
  });

  test("without a key, fails with provider_not_initialize and sends nothing", async () => {
    server = startFakeServer(() => new Response("unused"));
    const keyless = new AnthropicProvider({ name: "anthropic", baseUrl: server.url });
    const error = await failureOf(keyless.chat(simpleRequest));
    expect(isKilnError(error, "provider_not_initialize")).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  test("an abort ends the answer with finish reason stop and counted tokens", async () => {
    server = startFakeServer(() =>
      piecewiseResponse([sse([messageStart(9), { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello world" } }])], { hang: true }),
    );
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    for await (const event of provider(server.url).chat({ ...simpleRequest, signal: controller.signal })) {
      events.push(event);
      if (event.type === "text") controller.abort();
    }
    expect(events).toEqual([
      { type: "text", text: "Hello world" },
      { type: "finish", reason: "stop", tokens: { promptTokens: 9, completionTokens: 2 } },
    ]);
  });
});
