/**
 * A provider for any server speaking OpenAI's Chat Completions wire format: OpenAI itself,
 * Ollama, vLLM, LM Studio, llama.cpp, DeepSeek, OpenRouter…
 *
 * Calls stream (`stream: true` with `stream_options.include_usage`); a server that ignores
 * `stream` and answers one JSON body is understood too. Tool-call argument deltas are assembled
 * by index and emitted as complete `tool_call` events once the answer is complete;
 * `reasoning_content` (DeepSeek, vLLM) and `reasoning` (OpenRouter, Ollama) deltas become
 * `reasoning` events. When the server reports no usage, tokens are counted locally.
 */
import { invalidParam, providerNotInitialize } from "../errors.ts";
import { contentText } from "./content-text.ts";
import { streamErrorEvent, transportError, type ProviderIdentity } from "./provider-errors.ts";
import { DEFAULT_TIMEOUTS, ProviderHttpCall, type ProviderTimeouts } from "./provider-http.ts";
import { countPromptTokens, countTokens } from "./tokenizer.ts";
import type {
  ChatEvent,
  ChatMessage,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResult,
  FinishReason,
  ModelParameters,
  ModelProvider,
  ToolCall,
  ToolDefinition,
} from "./types.ts";

/** How to reach one OpenAI-compatible server. */
export interface OpenAICompatibleOptions {
  /** The configured provider name, used in error messages. */
  name: string;
  /** Up to and including the version segment, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when present; local servers often need none. */
  apiKey?: string;
  /** Set when a key was configured but cannot be found (e.g. its env variable is unset): calls then fail with `provider_not_initialize` and this text. */
  apiKeyProblem?: string;
  timeouts?: Partial<ProviderTimeouts>;
}

/** The subset of a streamed chunk (or of a whole completion's choice) that Kiln reads. */
interface WireToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}
interface WireMessage {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: WireToolCallDelta[] | null;
}
interface WireChoice {
  delta?: WireMessage;
  message?: WireMessage;
  finish_reason?: string | null;
}
interface WireChunk {
  choices?: WireChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

/** What one answer has produced so far. */
class AnswerState {
  text = "";
  reasoning = "";
  finishReason: string | undefined;
  usage: { promptTokens: number; completionTokens: number } | undefined;
  private readonly toolCalls = new Map<number, ToolCall>();

  /** Applies one choice (a delta or a whole message) and answers the events it yields now. */
  apply(message: WireMessage, events: ChatEvent[]): void {
    const reasoning = message.reasoning_content ?? message.reasoning;
    if (typeof reasoning === "string" && reasoning !== "") {
      this.reasoning += reasoning;
      events.push({ type: "reasoning", text: reasoning });
    }
    if (typeof message.content === "string" && message.content !== "") {
      this.text += message.content;
      events.push({ type: "text", text: message.content });
    }
    for (const [position, delta] of (message.tool_calls ?? []).entries()) {
      // A whole message's tool calls carry no index; their position is it.
      const index = delta.index ?? position;
      const call = this.toolCalls.get(index) ?? { id: "", name: "", arguments: "" };
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name += delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
      this.toolCalls.set(index, call);
    }
  }

  completedToolCalls(): ToolCall[] {
    return [...this.toolCalls.entries()]
      .sort(([left], [right]) => left - right)
      .map(([index, call]) => ({ ...call, id: call.id || `call_${index}`, arguments: call.arguments || "{}" }));
  }

  finish(): FinishReason {
    const reason = this.finishReason === "function_call" ? "tool_calls" : (this.finishReason ?? "stop");
    // Ollama and some vLLM versions say "stop" even when the answer is tool calls.
    return this.toolCalls.size > 0 && reason === "stop" ? "tool_calls" : reason;
  }
}

/** A model server speaking OpenAI's Chat Completions and Embeddings APIs. */
export class OpenAICompatibleProvider implements ModelProvider {
  readonly name: string;
  private readonly baseUrl: string;
  private readonly identity: ProviderIdentity;
  private readonly timeouts: ProviderTimeouts;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.name = options.name;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.identity = { name: options.name, secrets: options.apiKey ? [options.apiKey] : [] };
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  async *chat(request: ChatRequest): AsyncGenerator<ChatEvent> {
    const headers = this.headers();
    const call = new ProviderHttpCall(this.identity, this.timeouts, request.signal);
    const state = new AnswerState();
    try {
      const response = await call.post(`${this.baseUrl}/chat/completions`, headers, chatRequestBody(request));
      let complete = false;
      if (response && isJsonResponse(response)) {
        const body = await call.readText(response);
        if (body !== undefined) {
          const events: ChatEvent[] = [];
          this.applyChunk(this.parse(body, "response body"), state, "message", events);
          yield* events;
          complete = true;
        }
      } else if (response) {
        const events: ChatEvent[] = [];
        for await (const message of call.serverSentEvents(response)) {
          if (message.data === "[DONE]") {
            complete = true;
            break;
          }
          this.applyChunk(this.parse(message.data, "stream chunk"), state, "delta", events);
          for (const event of events) yield event;
          events.length = 0;
        }
      }
      if (call.callerAborted) {
        yield { type: "finish", reason: "stop", tokens: await this.tokens(request, state, false) };
        return;
      }
      if (!complete && state.finishReason === undefined) {
        throw transportError(this.identity, "the response stream ended before the answer was complete");
      }
      for (const toolCall of state.completedToolCalls()) yield { type: "tool_call", call: toolCall };
      yield { type: "finish", reason: state.finish(), tokens: await this.tokens(request, state, true) };
    } finally {
      call.close();
    }
  }

  async embed(request: EmbeddingRequest): Promise<EmbeddingResult> {
    const headers = this.headers();
    const call = new ProviderHttpCall(this.identity, this.timeouts, request.signal);
    try {
      const response = await call.post(`${this.baseUrl}/embeddings`, headers, { model: request.model, input: request.input });
      const body = response && (await call.readText(response));
      if (body === undefined) throw transportError(this.identity, "embedding request aborted");
      const parsed = this.parse(body, "embeddings body") as {
        data?: Array<{ index?: number; embedding?: number[] }>;
        usage?: { total_tokens?: number; prompt_tokens?: number };
      };
      if (!Array.isArray(parsed.data)) throw transportError(this.identity, "embeddings body has no data array");
      const embeddings = [...parsed.data]
        .sort((left, right) => (left.index ?? 0) - (right.index ?? 0))
        .map((item) => item.embedding ?? []);
      const tokens = parsed.usage?.total_tokens ?? parsed.usage?.prompt_tokens ?? (await countTokens(request.input.join("\n")));
      return { embeddings, tokens };
    } finally {
      call.close();
    }
  }

  private headers(): Record<string, string> {
    if (this.options.apiKeyProblem) throw providerNotInitialize(`${this.name}: ${this.options.apiKeyProblem}`);
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }

  private parse(text: string, what: string): WireChunk {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) return parsed as WireChunk;
    } catch {
      // Reported below with the part of the answer that was malformed.
    }
    throw transportError(this.identity, `malformed ${what} from the server`);
  }

  private applyChunk(chunk: WireChunk, state: AnswerState, part: "delta" | "message", events: ChatEvent[]): void {
    if (chunk.error) throw streamErrorEvent(this.identity, chunk);
    const choice = chunk.choices?.[0];
    const message = choice?.[part];
    if (message) state.apply(message, events);
    if (choice?.finish_reason) state.finishReason = choice.finish_reason;
    if (chunk.usage && typeof chunk.usage.prompt_tokens === "number") {
      state.usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens ?? 0 };
    }
  }

  private async tokens(request: ChatRequest, state: AnswerState, withToolCalls: boolean) {
    if (state.usage) return state.usage;
    const toolCallText = withToolCalls ? state.completedToolCalls().map((call) => call.name + call.arguments).join("") : "";
    return {
      promptTokens: await countPromptTokens(request.messages, request.tools),
      completionTokens: await countTokens(state.reasoning + state.text + toolCallText),
    };
  }
}

function isJsonResponse(response: Response): boolean {
  return (response.headers.get("content-type") ?? "").includes("application/json");
}

/** The request body of a streamed chat completion. */
export function chatRequestBody(request: ChatRequest): Record<string, unknown> {
  return {
    ...wireParameters(request.parameters ?? {}),
    model: request.model,
    messages: request.messages.map(wireMessage),
    ...(request.tools && request.tools.length > 0 ? { tools: request.tools.map(wireTool) } : {}),
    stream: true,
    stream_options: { include_usage: true },
  };
}

/**
 * Maps `completion_params` to the wire: known keys keep their names; Dify's string
 * `response_format` (`"json_object"`, `"json_schema"` with a `json_schema` param holding the
 * schema as JSON text) becomes OpenAI's object form; empty and null values are dropped; other
 * keys pass through untouched.
 */
export function wireParameters(parameters: ModelParameters): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || value === null) continue;
    if (key === "json_schema") continue;
    if (key === "stop" && Array.isArray(value) && value.length === 0) continue;
    wire[key] = value;
  }
  const format = parameters.response_format;
  if (format === "json_schema") {
    wire.response_format = { type: "json_schema", json_schema: jsonSchemaParameter(parameters.json_schema) };
  } else if (typeof format === "string") {
    wire.response_format = { type: format };
  }
  return wire;
}

function jsonSchemaParameter(schema: unknown): unknown {
  if (typeof schema !== "string") return schema;
  try {
    return JSON.parse(schema);
  } catch {
    throw invalidParam("The json_schema model parameter is not valid JSON.");
  }
}

function wireMessage(message: ChatMessage): Record<string, unknown> {
  if (message.role === "tool") {
    return { role: "tool", tool_call_id: message.toolCallId ?? "", content: contentText(message.content) };
  }
  const hasImages = typeof message.content !== "string" && message.content.some((part) => part.type === "image");
  // Arrays only when there are images: several servers reject content arrays for system and assistant turns.
  const content = hasImages && typeof message.content !== "string"
    ? message.content.map((part) =>
        part.type === "text"
          ? { type: "text", text: part.text }
          : { type: "image_url", image_url: part.detail ? { url: part.url, detail: part.detail } : { url: part.url } },
      )
    : contentText(message.content);
  if (message.role === "assistant" && message.toolCalls && message.toolCalls.length > 0) {
    return {
      role: "assistant",
      content: content === "" ? null : content,
      tool_calls: message.toolCalls.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  }
  return { role: message.role, content };
}

function wireTool(tool: ToolDefinition) {
  return { type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}
