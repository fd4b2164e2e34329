import { describe, expect, test } from "bun:test";
import { BuiltinProvider } from "../../src/models/builtin.ts";
import { invokeChat } from "../../src/models/invoke-chat.ts";
import type { ChatEvent } from "../../src/models/types.ts";

const builtin = new BuiltinProvider();
const pricing = { inputPrice: "1", outputPrice: "2", priceUnit: "0.001", currency: "USD" };

describe("invokeChat", () => {
  test("collects text, reasoning and tool calls, forwards every event and prices the usage", async () => {
    const seen: ChatEvent[] = [];
    const outcome = await invokeChat(
      { provider: builtin, model: "script", pricing },
      {
        messages: [{ role: "user", content: "go" }],
        parameters: {
          script: [
            { reasoning: "Plan it.", text: "Calling.", tool_calls: [{ name: "search", arguments: { q: "kiln" } }], usage: { prompt_tokens: 10, completion_tokens: 4 } },
          ],
        },
      },
      (event) => seen.push(event),
    );
    expect(outcome).toMatchObject({
      text: "Calling.",
      reasoning: "Plan it.",
      toolCalls: [{ id: "call_0_0", name: "search", arguments: '{"q":"kiln"}' }],
      finishReason: "tool_calls",
      usage: {
        prompt_tokens: 10,
        prompt_price: "0.0100000",
        completion_tokens: 4,
        completion_price: "0.0080000",
        total_tokens: 14,
        total_price: "0.0180000",
        currency: "USD",
      },
    });
    expect(seen.map((event) => event.type)).toEqual(["reasoning", "reasoning", "text", "tool_call", "finish"]);
    expect(outcome.usage.time_to_first_token).not.toBeNull();
    expect(outcome.usage.time_to_generate).not.toBeNull();
  });

  test("a call with no output has no first-token timings", async () => {
    const outcome = await invokeChat({ provider: builtin, model: "echo", pricing }, { messages: [] });
    expect(outcome.text).toBe("");
    expect(outcome.usage.time_to_first_token).toBeNull();
    expect(outcome.usage.time_to_generate).toBeNull();
  });

  test("model errors propagate as KilnErrors", async () => {
    const failure = invokeChat({ provider: builtin, model: "error:provider_quota_exceeded", pricing }, { messages: [] });
    await expect(failure).rejects.toMatchObject({ code: "provider_quota_exceeded" });
  });

  test("an abort before the call starts gives an empty stopped outcome", async () => {
    const outcome = await invokeChat(
      { provider: builtin, model: "echo", pricing },
      { messages: [{ role: "user", content: "never sent" }], signal: AbortSignal.abort() },
    );
    expect(outcome).toMatchObject({ text: "", finishReason: "stop", toolCalls: [] });
  });
});
