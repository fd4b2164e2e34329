/**
 * `llm` (§2.4): builds the prompt, calls the model through `services.chat` with the run's abort
 * signal, streams tokens on `[id, "text"]`, handles `<think>` per `reasoning_format`, and parses
 * structured output when it is switched on (asking the model for JSON via `response_format`).
 */
import { KilnError } from "../../errors.ts";
import type { ChatMessage } from "../../models/types.ts";
import { validateJsonSchema } from "../json-schema.ts";
import type { ModelSpec } from "../services.ts";
import { renderText } from "../template.ts";
import type { VariablePool } from "../variable-pool.ts";
import { buildContext, buildPromptMessages } from "./llm-prompt.ts";
import { NodeFailure, type NodeRunner } from "./node.ts";
import { splitThinkTags, ThinkTagStream } from "./think-tags.ts";

/** §2.4: string parameters may hold `{{#…#}}`; rendered JSON literals become numbers/booleans. */
function resolveParameters(params: unknown, pool: VariablePool): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  if (typeof params !== "object" || params === null) return resolved;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== "string") {
      resolved[key] = value;
      continue;
    }
    const text = renderText(value, pool);
    let parsed: unknown = text;
    try {
      const literal = JSON.parse(text) as unknown;
      if (typeof literal === "number" || typeof literal === "boolean") parsed = literal;
    } catch {
      // Not a JSON literal: keep the string.
    }
    resolved[key] = parsed;
  }
  return resolved;
}

function structuredSchema(data: Record<string, unknown>): Record<string, unknown> | null {
  const enabled = data.structured_output_switch_on ?? data.structured_output_enabled;
  if (enabled !== true) return null;
  const schema = (data.structured_output as { schema?: unknown } | undefined)?.schema;
  return typeof schema === "object" && schema !== null ? (schema as Record<string, unknown>) : { type: "object" };
}

/** The JSON object in a model reply: fences and surrounding prose are tolerated. */
function parseStructuredOutput(text: string, schema: Record<string, unknown>): Record<string, unknown> {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  let candidate = (fenced ? fenced[1]! : text).trim();
  const start = candidate.indexOf("{");
  const end = candidate.lastIndexOf("}");
  if (start >= 0 && end > start) candidate = candidate.slice(start, end + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(candidate);
  } catch {
    throw new NodeFailure(`Failed to parse structured output: ${text}`, "LLMNodeError");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new NodeFailure(`Failed to parse structured output: ${text}`, "LLMNodeError");
  }
  const problem = validateJsonSchema(schema, parsed);
  if (problem) throw new NodeFailure(`Structured output does not match the schema: ${problem}`, "LLMNodeError");
  return parsed as Record<string, unknown>;
}

const plainMessages = (messages: ChatMessage[]) =>
  messages.map((message) => ({
    role: message.role,
    text: typeof message.content === "string" ? message.content : message.content.map((part) => (part.type === "text" ? part.text : "")).join(""),
    files: typeof message.content === "string" ? [] : message.content.filter((part) => part.type === "image").map((part) => part.url),
  }));

export const llmNode: NodeRunner = {
  retryable: true,
  async run({ node, pool, services, signal, stream }) {
    const model = node.data.model as ModelSpec | undefined;
    if (!model || typeof model.provider !== "string" || typeof model.name !== "string") {
      throw new NodeFailure("LLM node has no model configured", "ModelNotExistError");
    }
    const context = buildContext(node.data, pool);
    const messages = await buildPromptMessages({ data: node.data, pool, services, signal }, context);
    const completionParams = resolveParameters(model.completion_params, pool);
    const schema = structuredSchema(node.data);
    if (schema) {
      completionParams.response_format = { type: "json_schema", json_schema: { name: "structured_output", schema } };
    }
    const separated = node.data.reasoning_format === "separated";
    const textSelector = [node.id, "text"];
    const reasoningSelector = [node.id, "reasoning_content"];
    const thinkStream = new ThinkTagStream(
      (text) => stream(textSelector, text, false),
      (text) => stream(reasoningSelector, text, false),
    );
    const inputs = context === null ? {} : { "#context#": context };
    let outcome;
    try {
      outcome = await services.chat(
        { provider: model.provider, name: model.name, mode: model.mode, completion_params: completionParams },
        { messages, signal },
        (event) => {
          if (event.type === "text") {
            if (separated) thinkStream.push(event.text);
            else stream(textSelector, event.text, false);
          } else if (event.type === "reasoning") {
            stream(reasoningSelector, event.text, false);
          }
        },
      );
    } catch (error) {
      const errorType = error instanceof KilnError ? error.code : error instanceof Error ? error.name : "Error";
      throw new NodeFailure(error instanceof Error ? error.message : String(error), errorType, inputs);
    }
    if (separated) thinkStream.end();
    stream(textSelector, "", true);

    const split = separated ? splitThinkTags(outcome.text) : { text: outcome.text, reasoning: "" };
    const reasoning = [outcome.reasoning, split.reasoning].filter((part) => part !== "").join("\n");
    const outputs: Record<string, unknown> = {
      text: split.text,
      reasoning_content: separated ? reasoning : "",
      usage: outcome.usage,
      finish_reason: outcome.finishReason,
    };
    if (schema) outputs.structured_output = parseStructuredOutput(split.text, schema);
    return {
      inputs,
      processData: {
        model_mode: model.mode ?? "chat",
        prompts: plainMessages(messages),
        usage: outcome.usage,
        finish_reason: outcome.finishReason,
        model_provider: model.provider,
        model_name: model.name,
      },
      outputs,
      usage: outcome.usage,
      metadata: {
        total_tokens: outcome.usage.total_tokens,
        total_price: outcome.usage.total_price,
        currency: outcome.usage.currency,
      },
    };
  },
};
