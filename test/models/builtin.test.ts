import { describe, expect, test } from "bun:test";
import { KilnError } from "../../src/errors.ts";
import { BuiltinProvider, wordChunks } from "../../src/models/builtin.ts";
import { invokeChat } from "../../src/models/invoke-chat.ts";
import { countPromptTokens, countTokens } from "../../src/models/tokenizer.ts";
import type { ChatEvent, ChatMessage } from "../../src/models/types.ts";
import { UNPRICED } from "../../src/models/usage.ts";
import { collect, eventsAndFailure, failureOf } from "./fake-server.ts";

const builtin = new BuiltinProvider();
const texts = (events: ChatEvent[]) => events.flatMap((event) => (event.type === "text" ? [event.text] : []));

describe("wordChunks", () => {
  for (const text of ["Hello world", "  leading and trailing  ", "tabs\tand\nnewlines\n\n", "一 二三 🎉", "   ", "single", ""]) {
    test(`chunks ${JSON.stringify(text)} so they concatenate to it`, () => {
      const chunks = wordChunks(text);
      expect(chunks.join("")).toBe(text);
      expect(chunks.every((chunk) => chunk !== "")).toBe(true);
    });
  }

  test("cuts one chunk per word, keeping the whitespace after it", () => {
    expect(wordChunks(" Hello,  big world\n")).toEqual([" Hello,  ", "big ", "world\n"]);
  });
});

describe("builtin/echo", () => {
  test("answers the last user message, one chunk per word, with tokenizer usage", async () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "You are a parrot." },
      { role: "user", content: "first question" },
      { role: "assistant", content: "first answer" },
      { role: "user", content: "Hello there,  dear   world" },
    ];
    const events = await collect(builtin.chat({ model: "echo", messages }));
    expect(texts(events)).toEqual(["Hello ", "there,  ", "dear   ", "world"]);
    expect(events.at(-1)).toEqual({
      type: "finish",
      reason: "stop",
      tokens: { promptTokens: await countPromptTokens(messages), completionTokens: await countTokens("Hello there,  dear   world") },
    });
  });

  test("echoes the text parts of multimodal content", async () => {
    const events = await collect(
      builtin.chat({
        model: "echo",
        messages: [{ role: "user", content: [{ type: "text", text: "Look " }, { type: "image", url: "https://x/y.png" }, { type: "text", text: "here" }] }],
      }),
    );
    expect(texts(events).join("")).toBe("Look here");
  });

  test("delay_ms paces the chunks and an abort mid-way keeps the partial answer", async () => {
    const controller = new AbortController();
    const outcome = await invokeChat(
      { provider: builtin, model: "echo", pricing: UNPRICED },
      { messages: [{ role: "user", content: "one two three four five" }], parameters: { delay_ms: 30 }, signal: controller.signal },
      (event) => {
        if (event.type === "text" && event.text === "two ") controller.abort();
      },
    );
    expect(outcome.text).toBe("one two ");
    expect(outcome.finishReason).toBe("stop");
    expect(outcome.usage.completion_tokens).toBe(await countTokens("one two "));
  });

  test("rejects a negative delay_ms", async () => {
    const error = await failureOf(builtin.chat({ model: "echo", messages: [], parameters: { delay_ms: -1 } }));
    expect(error instanceof KilnError && error.code).toBe("invalid_param");
  });
});

describe("builtin/script", () => {
  const script = [
    { reasoning: "Need weather.", tool_calls: [{ name: "get_weather", arguments: { city: "Paris" } }, { name: "get_time", arguments: '{"tz":"CET"}', id: "t2" }] },
    { text: "It is sunny in Paris.", usage: { prompt_tokens: 50, completion_tokens: 6 } },
  ];

  test("plays a multi-turn tool-calling exchange, one turn per assistant message since the last user message", async () => {
    const history: ChatMessage[] = [
      { role: "user", content: "old question" },
      { role: "assistant", content: "old answer" },
      { role: "user", content: "Weather in Paris?" },
    ];
    const first = await collect(builtin.chat({ model: "script", messages: history, parameters: { script } }));
    expect(first.slice(0, -1)).toEqual([
      { type: "reasoning", text: "Need " },
      { type: "reasoning", text: "weather." },
      { type: "tool_call", call: { id: "call_0_0", name: "get_weather", arguments: '{"city":"Paris"}' } },
      { type: "tool_call", call: { id: "t2", name: "get_time", arguments: '{"tz":"CET"}' } },
    ]);
    expect(first.at(-1)).toMatchObject({ type: "finish", reason: "tool_calls" });

    const afterTools: ChatMessage[] = [
      ...history,
      { role: "assistant", content: "", toolCalls: [{ id: "call_0_0", name: "get_weather", arguments: '{"city":"Paris"}' }] },
      { role: "tool", content: "sunny", toolCallId: "call_0_0" },
    ];
    const second = await collect(builtin.chat({ model: "script", messages: afterTools, parameters: { script: JSON.stringify(script) } }));
    expect(second).toEqual([
      { type: "text", text: "It " },
      { type: "text", text: "is " },
      { type: "text", text: "sunny " },
      { type: "text", text: "in " },
      { type: "text", text: "Paris." },
      { type: "finish", reason: "stop", tokens: { promptTokens: 50, completionTokens: 6 } },
    ]);

    // Past the end of the script, the last turn repeats.
    const third = await collect(
      builtin.chat({ model: "script", messages: [...afterTools, { role: "assistant", content: "It is sunny in Paris." }], parameters: { script } }),
    );
    expect(texts(third).join("")).toBe("It is sunny in Paris.");
  });

  test("a turn with an error fails after streaming its text", async () => {
    const { events, failure } = await eventsAndFailure(
      builtin.chat({
        model: "script",
        messages: [{ role: "user", content: "x" }],
        parameters: { script: [{ text: "Partial", error: { code: "provider_quota_exceeded", message: "Quota gone." } }] },
      }),
    );
    expect(events).toEqual([{ type: "text", text: "Partial" }]);
    expect(failure).toBeInstanceOf(KilnError);
    expect(failure).toMatchObject({ code: "provider_quota_exceeded", message: "Quota gone." });
  });

  test("a bad script fails with a message naming the bad field", async () => {
    const error = await failureOf(
      builtin.chat({ model: "script", messages: [], parameters: { script: [{ tool_calls: [{ arguments: {} }] }] } }),
    );
    expect(error).toMatchObject({ code: "invalid_param" });
    expect((error as Error).message).toContain("script.0.tool_calls.0.name");
  });

  test("a missing script fails with invalid_param", async () => {
    const error = await failureOf(builtin.chat({ model: "script", messages: [] }));
    expect(error).toMatchObject({ code: "invalid_param" });
  });
});

describe("builtin/error:<code>", () => {
  for (const code of ["completion_request_error", "provider_quota_exceeded", "provider_not_initialize", "model_currently_not_support"]) {
    test(`fails with ${code} before any output`, async () => {
      const { events, failure } = await eventsAndFailure(
        builtin.chat({ model: `error:${code}`, messages: [], parameters: { error_message: "scripted" } }),
      );
      expect(events).toEqual([]);
      expect(failure).toMatchObject({ code, message: "scripted", status: 400 });
    });
  }

  test("an unknown model fails with model_currently_not_support", async () => {
    const error = await failureOf(builtin.chat({ model: "error:nonsense", messages: [] }));
    expect(error).toMatchObject({ code: "model_currently_not_support" });
  });
});
