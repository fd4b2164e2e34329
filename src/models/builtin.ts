/**
 * The built-in provider, `builtin`: deterministic models with no network, for tests, demos and
 * `KILN_MODEL_OVERRIDE` runs of real DSL files. Every model streams its text as one chunk per word
 * (a word plus the whitespace after it; the chunks concatenate to the exact text) and reports
 * usage counted by the tokenizer unless a script says otherwise.
 *
 * Models (the name after `builtin/`):
 *
 * - `echo` — answers with the text of the last user message (for multimodal content, its text
 *   parts joined); an empty answer when there is no user message.
 * - `script` — plays one turn of the `script` parameter: a list of turns (or that list as JSON
 *   text). The turn played is the number of assistant messages after the last user message, so a
 *   tool-calling loop advances one turn per model call and each new user query starts over at
 *   turn 0; past the end, the last turn repeats. A turn is
 *   `{text?, reasoning?, tool_calls?: [{name, arguments?: object | JSON text, id?}],
 *     error?: {code, message?}, finish_reason?, usage?: {prompt_tokens, completion_tokens}}`
 *   and streams, in order: reasoning, text, tool calls, then fails with `error` if it has one (so
 *   a turn with text and an error fails after streaming started). Tool-call ids default to
 *   `call_<turn>_<position>`; the finish reason defaults to `tool_calls` when the turn calls
 *   tools, else `stop`.
 * - `error:<code>` — fails before any output with that model error code
 *   (`completion_request_error`, `provider_quota_exceeded`, `provider_not_initialize`,
 *   `model_currently_not_support`); the `error_message` parameter sets the message. Usable from
 *   `KILN_MODEL_OVERRIDE=builtin/error:provider_quota_exceeded`.
 *
 * Parameters every model reads from `completion_params`:
 *
 * - `delay_ms` — waits this long before each chunk; an abort during the wait ends the answer
 *   with what was sent so far (finish reason `stop`).
 *
 * Other parameters (temperature…) are accepted and ignored.
 */
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import {
  completionRequestError,
  invalidParam,
  KilnError,
  modelCurrentlyNotSupport,
  providerNotInitialize,
  providerQuotaExceeded,
} from "../errors.ts";
import { contentText } from "./content-text.ts";
import { countPromptTokens, countTokens } from "./tokenizer.ts";
import type { ChatEvent, ChatMessage, ChatRequest, ModelParameters, ModelProvider, ToolCall } from "./types.ts";

export const BUILTIN_PROVIDER = "builtin";

const MODEL_ERRORS: Record<string, (message?: string) => KilnError> = {
  completion_request_error: completionRequestError,
  provider_quota_exceeded: providerQuotaExceeded,
  provider_not_initialize: providerNotInitialize,
  model_currently_not_support: modelCurrentlyNotSupport,
};

const ScriptTurn = Type.Object(
  {
    text: Type.Optional(Type.String()),
    reasoning: Type.Optional(Type.String()),
    tool_calls: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            arguments: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.String()])),
            id: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    error: Type.Optional(
      Type.Object(
        {
          code: Type.Union(Object.keys(MODEL_ERRORS).map((code) => Type.Literal(code))),
          message: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    finish_reason: Type.Optional(Type.String({ minLength: 1 })),
    usage: Type.Optional(
      Type.Object({ prompt_tokens: Type.Integer({ minimum: 0 }), completion_tokens: Type.Integer({ minimum: 0 }) }),
    ),
  },
  { additionalProperties: false },
);
/** One scripted model answer of `builtin/script`. */
export type ScriptTurn = Static<typeof ScriptTurn>;
const Script = Type.Array(ScriptTurn, { minItems: 1 });

/**
 * Splits text into word chunks: each chunk is a word and the whitespace after it, the first also
 * carries any leading whitespace, so the chunks concatenate to exactly the text.
 */
export function wordChunks(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text]);
}

/** Waits `ms` milliseconds; answers false (early) if the signal aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function delayOf(parameters: ModelParameters): number {
  const delay = parameters.delay_ms;
  if (delay === undefined || delay === null) return 0;
  if (typeof delay !== "number" || !Number.isFinite(delay) || delay < 0) {
    throw invalidParam("builtin: delay_ms must be a non-negative number of milliseconds.");
  }
  return delay;
}

function lastUserText(messages: ChatMessage[]): string {
  const lastUser = messages.findLast((message) => message.role === "user");
  return lastUser ? contentText(lastUser.content) : "";
}

/** Which scripted turn a call plays: the assistant turns since the last user message. */
function turnIndex(messages: ChatMessage[]): number {
  const lastUser = messages.findLastIndex((message) => message.role === "user");
  return messages.slice(lastUser + 1).filter((message) => message.role === "assistant").length;
}

function parseScript(parameter: unknown): ScriptTurn[] {
  let script = parameter;
  if (typeof script === "string") {
    try {
      script = JSON.parse(script);
    } catch {
      throw invalidParam("builtin/script: the script parameter is not valid JSON.");
    }
  }
  if (!Value.Check(Script, script)) {
    const first = Value.Errors(Script, script).First();
    const where = first?.path ? ` at script${first.path.replaceAll("/", ".")}` : "";
    throw invalidParam(`builtin/script: invalid script${where}: ${first?.message ?? "expected a list of turns"}.`);
  }
  return script;
}

function scriptedToolCalls(turn: ScriptTurn, index: number): ToolCall[] {
  return (turn.tool_calls ?? []).map((call, position) => ({
    id: call.id ?? `call_${index}_${position}`,
    name: call.name,
    arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
  }));
}

/** The turn a model plays for a request: what the model names and parameters ask for. */
function turnFor(model: string, request: ChatRequest): { turn: ScriptTurn; index: number } {
  const parameters = request.parameters ?? {};
  if (model === "echo") return { turn: { text: lastUserText(request.messages) }, index: 0 };
  if (model === "script") {
    const script = parseScript(parameters.script);
    const index = turnIndex(request.messages);
    return { turn: script[Math.min(index, script.length - 1)], index };
  }
  const errorCode = /^error:(.+)$/.exec(model)?.[1];
  if (errorCode !== undefined && errorCode in MODEL_ERRORS) {
    const message = typeof parameters.error_message === "string" ? parameters.error_message : undefined;
    return { turn: { error: { code: errorCode as NonNullable<ScriptTurn["error"]>["code"], message } }, index: 0 };
  }
  throw modelCurrentlyNotSupport(`builtin: unknown model "${model}" (built-in models: echo, script, error:<code>).`);
}

/** The built-in deterministic models; see the top of this file. */
export class BuiltinProvider implements ModelProvider {
  readonly name = BUILTIN_PROVIDER;

  async *chat(request: ChatRequest): AsyncGenerator<ChatEvent> {
    const parameters = request.parameters ?? {};
    const delay = delayOf(parameters);
    const { turn, index } = turnFor(request.model, request);
    const toolCalls = scriptedToolCalls(turn, index);
    const sent: string[] = [];
    const finish = async (reason: string): Promise<ChatEvent> => ({
      type: "finish",
      reason,
      tokens: {
        promptTokens: turn.usage?.prompt_tokens ?? (await countPromptTokens(request.messages, request.tools)),
        completionTokens: turn.usage?.completion_tokens ?? (await countTokens(sent.join(""))),
      },
    });

    const streams: Array<["reasoning" | "text", string]> = [["reasoning", turn.reasoning ?? ""], ["text", turn.text ?? ""]];
    for (const [type, text] of streams) {
      for (const chunk of wordChunks(text)) {
        if (!(await pause(delay, request.signal))) {
          yield await finish("stop");
          return;
        }
        sent.push(chunk);
        yield { type, text: chunk };
      }
    }
    for (const call of toolCalls) {
      sent.push(call.name + call.arguments);
      yield { type: "tool_call", call };
    }
    if (turn.error) throw MODEL_ERRORS[turn.error.code](turn.error.message);
    yield await finish(turn.finish_reason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"));
  }
}
