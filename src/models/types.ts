/**
 * The model-provider interface. Every app mode and every model-calling workflow node goes
 * through `ModelProvider.chat`, so this file decides how simple the callers can be:
 *
 * - a call is an async iterable of small events (text, reasoning, complete tool calls) that ends
 *   with exactly one `finish` event carrying usage and the finish reason;
 * - cancellation is an `AbortSignal` on the request; an aborted call ends its iterable promptly
 *   (with a `finish` whose reason is `"stop"`, keeping what was generated so far);
 * - failures are thrown as `KilnError`s with the contract codes of `service-api.md` §3.2
 *   (`provider_not_initialize`, `provider_quota_exceeded`, `model_currently_not_support`,
 *   `completion_request_error`), never as raw fetch or parse errors.
 */

export type ChatRole = "system" | "user" | "assistant" | "tool";

/** A multimodal content part. Images travel as URLs: `https://…` or `data:<mime>;base64,…`. */
export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image"; url: string; detail?: "low" | "high" };

export interface ToolCall {
  id: string;
  name: string;
  /** The raw JSON argument text, assembled from the provider's deltas. */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string | ContentPart[];
  /** Assistant turns that called tools. */
  toolCalls?: ToolCall[];
  /** Tool turns: which call this result answers. */
  toolCallId?: string;
}

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

/**
 * Model parameters as a DSL's `completion_params` carries them. Known keys are mapped to each
 * wire format; unknown keys are passed through to OpenAI-compatible servers untouched.
 */
export interface ModelParameters {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  /** `"text"`, `"json_object"`, or `{type: "json_schema", json_schema: {...}}` as OpenAI spells it. */
  response_format?: unknown;
  [key: string]: unknown;
}

export interface ChatRequest {
  /** The provider's own model name (aliases already resolved). */
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  parameters?: ModelParameters;
  signal?: AbortSignal;
}

/** Token counts as the provider reported them (or as a tokenizer counted them). */
export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | string;

export type ChatEvent =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string }
  | { type: "tool_call"; call: ToolCall }
  | { type: "finish"; reason: FinishReason; tokens: TokenCounts };

export interface EmbeddingRequest {
  model: string;
  input: string[];
  signal?: AbortSignal;
}

export interface EmbeddingResult {
  embeddings: number[][];
  tokens: number;
}

/** One configured provider (an OpenAI-compatible server, Anthropic, the built-in model…). */
export interface ModelProvider {
  /** The configured name, e.g. `openai`, `ollama`, `builtin`. */
  readonly name: string;
  chat(request: ChatRequest): AsyncIterable<ChatEvent>;
  embed?(request: EmbeddingRequest): Promise<EmbeddingResult>;
  // Speech-to-text and text-to-speech come with a later issue as further optional methods.
}

/**
 * The Usage object of `service-api.md` §8.1. Prices are decimal strings so no precision is lost;
 * the HTTP layer writes them as strings in SSE and as numbers in blocking bodies (§8.1).
 */
export interface LlmUsage {
  prompt_tokens: number;
  prompt_unit_price: string;
  prompt_price_unit: string;
  prompt_price: string;
  completion_tokens: number;
  completion_unit_price: string;
  completion_price_unit: string;
  completion_price: string;
  total_tokens: number;
  total_price: string;
  currency: string;
  latency: number;
  time_to_first_token: number | null;
  time_to_generate: number | null;
}
