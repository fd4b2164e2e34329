/**
 * The one call app runners and workflow nodes make: run a chat request on a resolved model,
 * forward its events as they come, and answer the whole outcome with a priced §8.1 usage.
 */
import type { ResolvedModel } from "./registry.ts";
import type { ChatEvent, ChatRequest, FinishReason, LlmUsage, TokenCounts, ToolCall } from "./types.ts";
import { buildUsage } from "./usage.ts";

/** Everything one model call produced. */
export interface ChatOutcome {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /**
   * The priced usage. `time_to_first_token` / `time_to_generate` are measured here; §8.1 reports
   * them for advanced-chat streaming only, so other callers set them to null.
   */
  usage: LlmUsage;
}

/**
 * Calls the model and collects its answer. `onEvent` sees every event (the `finish` included)
 * as it arrives, e.g. to stream text to a client.
 *
 * An abort through `request.signal` is not an error: the outcome holds the partial answer with
 * finish reason `"stop"`, so a stopped message can be saved with what was generated. Model
 * failures throw `KilnError`s with the model contract codes.
 */
export async function invokeChat(
  model: ResolvedModel,
  request: Omit<ChatRequest, "model">,
  onEvent?: (event: ChatEvent) => void,
): Promise<ChatOutcome> {
  const startedAt = performance.now();
  let firstTokenAt: number | undefined;
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  let finishReason: FinishReason = "stop";
  let tokens: TokenCounts = { promptTokens: 0, completionTokens: 0 };
  try {
    for await (const event of model.provider.chat({ ...request, model: model.model })) {
      if (event.type === "finish") {
        finishReason = event.reason;
        tokens = event.tokens;
      } else {
        firstTokenAt ??= performance.now();
        if (event.type === "text") text += event.text;
        else if (event.type === "reasoning") reasoning += event.text;
        else toolCalls.push(event.call);
      }
      onEvent?.(event);
    }
  } catch (error) {
    // A provider that throws on abort instead of finishing still yields a stopped outcome.
    if (!request.signal?.aborted) throw error;
    finishReason = "stop";
  }
  const finishedAt = performance.now();
  return {
    text,
    reasoning,
    toolCalls,
    finishReason,
    usage: buildUsage(tokens, model.pricing, {
      latencyMs: finishedAt - startedAt,
      timeToFirstTokenMs: firstTokenAt === undefined ? null : firstTokenAt - startedAt,
      timeToGenerateMs: firstTokenAt === undefined ? null : finishedAt - firstTokenAt,
    }),
  };
}
