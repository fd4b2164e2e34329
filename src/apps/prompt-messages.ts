/**
 * Builds the model messages of an easy-UI app turn (§5.4): the app's prompt (simple `pre_prompt`
 * or the advanced `chat_prompt_config` / `completion_prompt_config`) with `{{var}}` inputs filled,
 * then the conversation history, then the user's query.
 */
import type { ChatMessage, ContentPart } from "../models/types";
import type { Message } from "../store/messages";
import type { App } from "../store/schema";
import { renderInputs } from "./prompt-template";

type Json = Record<string, unknown>;

export interface PromptParts {
  inputs: Record<string, unknown>;
  query: string;
  /** Earlier turns, oldest first. */
  history: Message[];
  /** Image parts for vision models, attached to the user turn. */
  images?: ContentPart[];
}

function userTurn(text: string, images: ContentPart[] = []): ChatMessage {
  return images.length === 0 ? { role: "user", content: text } : { role: "user", content: [...images, { type: "text", text }] };
}

function historyMessages(history: Message[]): ChatMessage[] {
  return history.flatMap((turn): ChatMessage[] => [
    { role: "user", content: turn.query },
    { role: "assistant", content: turn.answer },
  ]);
}

export function chatPromptMessages(app: App, parts: PromptParts): ChatMessage[] {
  const config = app.modelConfig ?? {};
  const messages: ChatMessage[] = [];
  const advanced = config.prompt_type === "advanced" ? ((config.chat_prompt_config as Json | undefined)?.prompt as Json[] | undefined) : undefined;
  if (advanced && advanced.length > 0) {
    for (const item of advanced) {
      const text = renderInputs(String(item.text ?? ""), parts.inputs).replaceAll("{{#query#}}", parts.query);
      if (text.trim() === "") continue;
      const role = item.role === "assistant" ? "assistant" : item.role === "user" ? "user" : "system";
      messages.push({ role, content: text });
    }
  } else {
    const system = renderInputs(String(config.pre_prompt ?? ""), parts.inputs).trim();
    if (system) messages.push({ role: "system", content: system });
  }
  messages.push(...historyMessages(parts.history));
  messages.push(userTurn(parts.query, parts.images));
  return messages;
}

/** Completion apps send one user message: the prompt with inputs filled, then the query if any. */
export function completionPromptMessages(app: App, parts: PromptParts): ChatMessage[] {
  const config = app.modelConfig ?? {};
  const advanced = config.prompt_type === "advanced" ? ((config.completion_prompt_config as Json | undefined)?.prompt as Json | undefined) : undefined;
  const template = String(advanced?.text ?? config.pre_prompt ?? "");
  let text = renderInputs(template, parts.inputs);
  if (text.includes("{{#query#}}")) text = text.replaceAll("{{#query#}}", parts.query);
  else if (parts.query) text = text ? `${text}\n${parts.query}` : parts.query;
  return [userTurn(text, parts.images)];
}
