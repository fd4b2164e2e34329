/** Messages, their feedback, and the keyset history page of `/messages` (§4.13). */
import { and, desc, eq, inArray, lt, ne } from "drizzle-orm";
import type { Db } from "./database";
import { messageAgentThoughts, messageFeedbacks, messageFiles, messages, uploadFiles } from "./schema";

export type Message = typeof messages.$inferSelect;
export type MessageFeedback = typeof messageFeedbacks.$inferSelect;

/** A message of this app and end user (§4.14, §4.16), or undefined. */
export function findOwnedMessage(db: Db, owner: { appId: string; endUserId: string }, id: string): Message | undefined {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.id, id), eq(messages.appId, owner.appId), eq(messages.endUserId, owner.endUserId)))
    .get();
}

export function findMessageInConversation(db: Db, conversationId: string, id: string): Message | undefined {
  return db.select().from(messages).where(and(eq(messages.id, id), eq(messages.conversationId, conversationId))).get();
}

/** `limit + 1` newest messages older than `before`, newest first (§4.13 steps 1–2). */
export function messagesPage(db: Db, conversationId: string, limit: number, before?: Message) {
  const rows = db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), before ? lt(messages.createdAt, before.createdAt) : undefined))
    .orderBy(desc(messages.createdAt))
    .limit(limit + 1)
    .all();
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

/**
 * The conversation's latest answered turns, newest first, excluding the message being generated
 * (null when none is: suggested questions read the history as it stands, §4.16).
 */
export function recentTurns(db: Db, conversationId: string, excludeId: string | null, limit: number): Message[] {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), excludeId ? ne(messages.id, excludeId) : undefined, ne(messages.status, "error")))
    .orderBy(desc(messages.createdAt))
    .limit(limit)
    .all();
}

export function firstMessage(db: Db, conversationId: string): Message | undefined {
  return db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(messages.createdAt).limit(1).get();
}

export function userFeedbacks(db: Db, messageIds: string[], endUserId: string): Map<string, MessageFeedback> {
  if (messageIds.length === 0) return new Map();
  const rows = db
    .select()
    .from(messageFeedbacks)
    .where(and(inArray(messageFeedbacks.messageId, messageIds), eq(messageFeedbacks.fromEndUserId, endUserId), eq(messageFeedbacks.fromSource, "user")))
    .all();
  return new Map(rows.map((row) => [row.messageId, row]));
}

/** The files of these messages, each with its upload record (null for remote and tool files). */
export function filesOfMessages(db: Db, messageIds: string[]) {
  if (messageIds.length === 0) return [];
  return db
    .select({ file: messageFiles, upload: uploadFiles })
    .from(messageFiles)
    .leftJoin(uploadFiles, eq(uploadFiles.id, messageFiles.uploadFileId))
    .where(inArray(messageFiles.messageId, messageIds))
    .orderBy(messageFiles.createdAt)
    .all();
}

export function thoughtsOfMessages(db: Db, messageIds: string[]) {
  if (messageIds.length === 0) return [];
  return db.select().from(messageAgentThoughts).where(inArray(messageAgentThoughts.messageId, messageIds)).orderBy(messageAgentThoughts.position).all();
}
