/**
 * The stream events of easy-UI apps (§7.2–§7.3, §7.9) in the contract's key order: the envelope
 * (`event`, `conversation_id` for chat modes, `message_id`, `created_at`), then the payload.
 * Prices inside `usage` stay decimal strings here, as SSE carries them (§8.1).
 */
import type { KilnError } from "../errors";
import type { LlmUsage } from "../models/types";
import { toSeconds } from "../store/clock";
import type { PreparedTurn } from "./message-turn";

export type MessageEvent = Record<string, unknown> & { event: string };

export function messageEvents(turn: PreparedTurn) {
  const messageId = turn.message.id;
  const createdAt = toSeconds(turn.message.createdAt);
  const envelope = (event: string) =>
    turn.mode === "chat"
      ? { event, conversation_id: turn.conversation.id, message_id: messageId, created_at: createdAt }
      : { event, message_id: messageId, created_at: createdAt };
  return {
    message: (answer: string): MessageEvent => ({
      ...envelope("message"), task_id: turn.task.id, id: messageId, answer, from_variable_selector: null,
    }),
    end: (usage: LlmUsage): MessageEvent => ({
      ...envelope("message_end"), task_id: turn.task.id, id: messageId,
      metadata: { annotation_reply: null, retriever_resources: [], usage }, files: null,
    }),
    // §7.2: the error event carries the envelope and the error, but no task_id.
    error: (error: KilnError): MessageEvent => ({ ...envelope("error"), code: error.code, status: error.status, message: error.message }),
  };
}
