/**
 * Conversations, always scoped to (app, end user): a conversation of another app or another user
 * does not exist as far as a caller can tell (§2.3 scoping, §4.17–§4.19).
 */
import { and, asc, count, desc, eq, gt, inArray, lt, type SQL } from "drizzle-orm";
import { nowMicros } from "./clock";
import type { Db } from "./database";
import { conversations, conversationVariables, messageAgentThoughts, messageFeedbacks, messageFiles, messages } from "./schema";

export type Conversation = typeof conversations.$inferSelect;

export interface Owner {
  appId: string;
  endUserId: string;
}

const owned = (owner: Owner) =>
  and(eq(conversations.appId, owner.appId), eq(conversations.endUserId, owner.endUserId), eq(conversations.fromSource, "api"));

export function findOwnedConversation(db: Db, owner: Owner, id: string): Conversation | undefined {
  return db.select().from(conversations).where(and(owned(owner), eq(conversations.id, id))).get();
}

/** A new conversation, counting its first turn (`sys.dialogue_count` is 1 on the first turn). */
export function createConversation(db: Db, values: Omit<Conversation, "createdAt" | "updatedAt" | "status" | "fromSource" | "invokeFrom" | "dialogueCount">): Conversation {
  const now = nowMicros();
  return db.insert(conversations).values({ ...values, dialogueCount: 1, createdAt: now, updatedAt: now }).returning().get();
}

export function renameConversation(db: Db, id: string, name: string): Conversation | undefined {
  return db.update(conversations).set({ name, updatedAt: nowMicros() }).where(eq(conversations.id, id)).returning().get();
}

/** Sets a generated name without moving `updated_at`: naming is not activity. */
export function setGeneratedName(db: Db, id: string, name: string): void {
  db.update(conversations).set({ name }).where(eq(conversations.id, id)).run();
}

/**
 * Deletes the conversation with everything recorded in it: messages, their feedback, files and
 * agent thoughts, and the conversation variables (§4.18). One transaction, so a reader never
 * sees messages of a conversation that no longer exists.
 */
export function deleteConversation(db: Db, id: string): void {
  db.transaction((tx) => {
    const messageIds = tx.select({ id: messages.id }).from(messages).where(eq(messages.conversationId, id));
    tx.delete(messageFeedbacks).where(eq(messageFeedbacks.conversationId, id)).run();
    tx.delete(messageFiles).where(inArray(messageFiles.messageId, messageIds)).run();
    tx.delete(messageAgentThoughts).where(inArray(messageAgentThoughts.messageId, messageIds)).run();
    tx.delete(messages).where(eq(messages.conversationId, id)).run();
    tx.delete(conversationVariables).where(eq(conversationVariables.conversationId, id)).run();
    tx.delete(conversations).where(eq(conversations.id, id)).run();
  });
}

export type ConversationSort = "created_at" | "-created_at" | "updated_at" | "-updated_at";

/**
 * One keyset page (§4.17): `field < last.field` (descending) or `>` (ascending), `limit` rows.
 * `has_more` is true only when a full page came back and rows remain beyond it.
 */
export function listConversations(db: Db, owner: Owner, options: { sortBy: ConversationSort; limit: number; after?: Conversation; mode?: string }) {
  const descending = options.sortBy.startsWith("-");
  const column = options.sortBy.endsWith("created_at") ? conversations.createdAt : conversations.updatedAt;
  const conditions: (SQL | undefined)[] = [owned(owner)];
  if (options.mode) conditions.push(eq(conversations.mode, options.mode));
  if (options.after) {
    const pivot = column === conversations.createdAt ? options.after.createdAt : options.after.updatedAt;
    conditions.push(descending ? lt(column, pivot) : gt(column, pivot));
  }
  const rows = db
    .select()
    .from(conversations)
    .where(and(...conditions))
    .orderBy(descending ? desc(column) : asc(column))
    .limit(options.limit)
    .all();
  let hasMore = false;
  if (rows.length === options.limit) {
    const last = rows[rows.length - 1];
    const pivot = column === conversations.createdAt ? last.createdAt : last.updatedAt;
    const [{ rest }] = db
      .select({ rest: count() })
      .from(conversations)
      .where(and(...conditions.slice(0, options.after ? -1 : undefined), descending ? lt(column, pivot) : gt(column, pivot)))
      .all();
    hasMore = rest > 0;
  }
  return { rows, hasMore };
}
