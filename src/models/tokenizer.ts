/**
 * Token counting for calls whose server reports no usage (and for the built-in model). Counts
 * use the `cl100k_base` encoding: exact for OpenAI's GPT-4-era models, a close estimate for
 * others, which is what Dify's own fallback counter offers too. The ranks (about 1 MB) are
 * loaded on first use so that starting the server does not pay for them.
 */
import type { Tiktoken } from "js-tiktoken/lite";
import { contentText } from "./content-text.ts";
import type { ChatMessage, ToolDefinition } from "./types.ts";

let encoder: Promise<Tiktoken> | undefined;

function loadEncoder(): Promise<Tiktoken> {
  encoder ??= Promise.all([import("js-tiktoken/lite"), import("js-tiktoken/ranks/cl100k_base")]).then(
    ([{ Tiktoken }, ranks]) => new Tiktoken(ranks.default),
  );
  return encoder;
}

/** Tokens in a piece of text. Special-token markers in user text count as plain text. */
export async function countTokens(text: string): Promise<number> {
  if (text === "") return 0;
  return (await loadEncoder()).encode(text, [], []).length;
}

/** The text a message contributes to a prompt: its content's text parts and its tool calls. */
function messageText(message: ChatMessage): string {
  const calls = (message.toolCalls ?? []).map((call) => `${call.name}${call.arguments}`).join("");
  return contentText(message.content) + calls;
}

/**
 * Prompt tokens of a chat request, estimated as OpenAI counts them: each message's text plus a
 * few tokens of framing per message, plus the tool definitions' JSON.
 */
export async function countPromptTokens(messages: ChatMessage[], tools: ToolDefinition[] = []): Promise<number> {
  const framingPerMessage = 4;
  let total = 3;
  for (const message of messages) total += framingPerMessage + (await countTokens(message.role + messageText(message)));
  if (tools.length > 0) total += await countTokens(JSON.stringify(tools));
  return total;
}
