/**
 * A provider for Anthropic's Messages API (`POST {base_url}/v1/messages`, streamed).
 *
 * Kiln's messages map onto Anthropic's shape: system turns join into `system`, tool results
 * become `tool_result` blocks in a user turn, assistant tool calls become `tool_use` blocks, images
 * become `image` blocks (base64 for data URLs, `url` sources otherwise), and consecutive turns of
 * one role merge because the API wants user and assistant turns to alternate.
 */
import { providerNotInitialize } from "../errors.ts";
import { contentText } from "./content-text.ts";
import { streamErrorEvent, transportError, type ProviderIdentity } from "./provider-errors.ts";
import { DEFAULT_TIMEOUTS, ProviderHttpCall, type ProviderTimeouts } from "./provider-http.ts";
import { countPromptTokens, countTokens } from "./tokenizer.ts";
import type { ChatEvent, ChatMessage, ChatRequest, FinishReason, ModelParameters, ModelProvider, ToolCall } from "./types.ts";

export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";
const ANTHROPIC_VERSION = "2023-06-01";
/** The API requires `max_tokens`; this is used when `completion_params` has none. */
export const DEFAULT_MAX_TOKENS = 4096;
/** Parameters Anthropic accepts under their own names; any other unknown key would be rejected. */
const PASSTHROUGH_PARAMETERS = ["top_k", "thinking", "tool_choice", "metadata", "service_tier"];

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/** How to reach Anthropic (or a server speaking its Messages API). */
export interface AnthropicOptions {
  name: string;
  /** Without the `/v1` segment; defaults to `https://api.anthropic.com`. */
  baseUrl?: string;
  apiKey?: string;
  /** Why the key is missing, when it is (see `OpenAICompatibleOptions.apiKeyProblem`). */
  apiKeyProblem?: string;
  timeouts?: Partial<ProviderTimeouts>;
}

type AnthropicBlock = Record<string, unknown>;
interface AnthropicMessage {
  role: "user" | "assistant";
  content: AnthropicBlock[];
}

interface StreamEvent {
  type?: string;
  index?: number;
  message?: { usage?: Record<string, number | undefined> };
  content_block?: { type?: string; id?: string; name?: string; text?: string; thinking?: string };
  delta?: { type?: string; text?: string; thinking?: string; partial_json?: string; stop_reason?: string | null };
  usage?: { output_tokens?: number };
}

/** Anthropic's Messages API. */
export class AnthropicProvider implements ModelProvider {
  readonly name: string;
  private readonly baseUrl: string;
  private readonly identity: ProviderIdentity;
  private readonly timeouts: ProviderTimeouts;

  constructor(private readonly options: AnthropicOptions) {
    this.name = options.name;
    this.baseUrl = (options.baseUrl ?? ANTHROPIC_BASE_URL).replace(/\/+$/, "");
    this.identity = { name: options.name, secrets: options.apiKey ? [options.apiKey] : [] };
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  async *chat(request: ChatRequest): AsyncGenerator<ChatEvent> {
    const apiKey = this.options.apiKey;
    if (!apiKey) throw providerNotInitialize(`${this.name}: ${this.options.apiKeyProblem ?? "no API key configured"}`);
    const call = new ProviderHttpCall(this.identity, this.timeouts, request.signal);
    let text = "";
    let reasoning = "";
    let stopReason: string | undefined;
    let complete = false;
    let inputTokens: number | undefined;
    let outputTokens: number | undefined;
    const toolBlocks = new Map<number, ToolCall>();
    const toolCalls: ToolCall[] = [];
    try {
      const headers = { "x-api-key": apiKey, "anthropic-version": ANTHROPIC_VERSION };
      const response = await call.post(`${this.baseUrl}/v1/messages`, headers, messagesRequestBody(request));
      if (response) {
        for await (const message of call.serverSentEvents(response)) {
          const event = this.parse(message.data);
          switch (event.type) {
            case "message_start": {
              const usage = event.message?.usage ?? {};
              inputTokens =
                (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
              outputTokens = usage.output_tokens;
              break;
            }
            case "content_block_start": {
              const block = event.content_block;
              if (block?.type === "tool_use") {
                toolBlocks.set(event.index ?? 0, { id: block.id ?? "", name: block.name ?? "", arguments: "" });
              } else if (block?.type === "text" && block.text) {
                text += block.text;
                yield { type: "text", text: block.text };
              } else if (block?.type === "thinking" && block.thinking) {
                reasoning += block.thinking;
                yield { type: "reasoning", text: block.thinking };
              }
              break;
            }
            case "content_block_delta": {
              const delta = event.delta;
              if (delta?.type === "text_delta" && delta.text) {
                text += delta.text;
                yield { type: "text", text: delta.text };
              } else if (delta?.type === "thinking_delta" && delta.thinking) {
                reasoning += delta.thinking;
                yield { type: "reasoning", text: delta.thinking };
              } else if (delta?.type === "input_json_delta" && delta.partial_json) {
                const block = toolBlocks.get(event.index ?? 0);
                if (block) block.arguments += delta.partial_json;
              }
              break;
            }
            case "content_block_stop": {
              const block = toolBlocks.get(event.index ?? 0);
              if (block) {
                toolBlocks.delete(event.index ?? 0);
                const toolCall = { ...block, arguments: block.arguments || "{}" };
                toolCalls.push(toolCall);
                yield { type: "tool_call", call: toolCall };
              }
              break;
            }
            case "message_delta":
              if (event.delta?.stop_reason) stopReason = event.delta.stop_reason;
              if (typeof event.usage?.output_tokens === "number") outputTokens = event.usage.output_tokens;
              break;
            case "message_stop":
              complete = true;
              break;
            case "error":
              throw streamErrorEvent(this.identity, event);
          }
        }
      }
      if (!call.callerAborted && !complete) {
        throw transportError(this.identity, "the response stream ended before the answer was complete");
      }
      const reason = call.callerAborted ? "stop" : (STOP_REASONS[stopReason ?? "end_turn"] ?? stopReason ?? "stop");
      const generated = reasoning + text + toolCalls.map((toolCall) => toolCall.name + toolCall.arguments).join("");
      yield {
        type: "finish",
        reason,
        tokens: {
          promptTokens: inputTokens ?? (await countPromptTokens(request.messages, request.tools)),
          // message_start's output count is a placeholder; the real one comes with message_delta.
          completionTokens: call.callerAborted || outputTokens === undefined ? await countTokens(generated) : outputTokens,
        },
      };
    } finally {
      call.close();
    }
  }

  private parse(data: string): StreamEvent {
    try {
      const parsed: unknown = JSON.parse(data);
      if (typeof parsed === "object" && parsed !== null) return parsed as StreamEvent;
    } catch {
      // Reported below.
    }
    throw transportError(this.identity, "malformed stream event from the server");
  }
}

/** The request body of a streamed Messages call. */
export function messagesRequestBody(request: ChatRequest): Record<string, unknown> {
  const parameters: ModelParameters = request.parameters ?? {};
  const system = request.messages
    .filter((message) => message.role === "system")
    .map((message) => contentText(message.content))
    .join("\n\n");
  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: parameters.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages: anthropicMessages(request.messages),
    stream: true,
  };
  if (system !== "") body.system = system;
  if (parameters.temperature !== undefined) body.temperature = parameters.temperature;
  if (parameters.top_p !== undefined) body.top_p = parameters.top_p;
  if (parameters.stop && parameters.stop.length > 0) body.stop_sequences = parameters.stop;
  for (const key of PASSTHROUGH_PARAMETERS) if (parameters[key] != null) body[key] = parameters[key];
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters }));
  }
  return body;
}

function anthropicMessages(messages: ChatMessage[]): AnthropicMessage[] {
  const turns: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.role === "system") continue;
    const role = message.role === "assistant" ? "assistant" : "user";
    const blocks = contentBlocks(message);
    const previous = turns.at(-1);
    if (previous?.role === role) previous.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }
  return turns;
}

function contentBlocks(message: ChatMessage): AnthropicBlock[] {
  if (message.role === "tool") {
    return [{ type: "tool_result", tool_use_id: message.toolCallId ?? "", content: contentText(message.content) }];
  }
  const parts = typeof message.content === "string" ? [{ type: "text" as const, text: message.content }] : message.content;
  const blocks: AnthropicBlock[] = [];
  for (const part of parts) {
    if (part.type === "text") {
      // The API rejects empty text blocks.
      if (part.text !== "") blocks.push({ type: "text", text: part.text });
    } else {
      blocks.push({ type: "image", source: imageSource(part.url) });
    }
  }
  for (const call of message.toolCalls ?? []) {
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input: toolInput(call.arguments) });
  }
  return blocks;
}

function imageSource(url: string): Record<string, string> {
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return dataUrl ? { type: "base64", media_type: dataUrl[1], data: dataUrl[2] } : { type: "url", url };
}

/** A tool call's arguments as the object Anthropic wants; arguments that are not a JSON object become `{}`. */
function toolInput(argumentsText: string): unknown {
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
