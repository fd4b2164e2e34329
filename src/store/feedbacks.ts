/**
 * Message feedback (§4.14, §4.15): one rating per message and end user, and the app-wide list.
 * Batch reads for the message history live in `store/messages.ts` (`userFeedbacks`).
 */
import { and, desc, eq } from "drizzle-orm";
import { nowMicros } from "./clock";
import type { Db } from "./database";
import { messageFeedbacks } from "./schema";
import type { Message, MessageFeedback } from "./messages";

export type FeedbackRating = "like" | "dislike";

/** The end user's own feedback on a message (`from_source = "user"`), or undefined. */
export function findUserFeedback(db: Db, messageId: string, endUserId: string): MessageFeedback | undefined {
  return db
    .select()
    .from(messageFeedbacks)
    .where(and(eq(messageFeedbacks.messageId, messageId), eq(messageFeedbacks.fromEndUserId, endUserId), eq(messageFeedbacks.fromSource, "user")))
    .get();
}

export function createUserFeedback(db: Db, message: Message, endUserId: string, rating: FeedbackRating, content: string | null): MessageFeedback {
  const now = nowMicros();
  return db
    .insert(messageFeedbacks)
    .values({
      id: crypto.randomUUID(),
      appId: message.appId,
      conversationId: message.conversationId,
      messageId: message.id,
      rating,
      content,
      fromSource: "user",
      fromEndUserId: endUserId,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
}

/** Replaces rating and content together, as Dify does: a missing content clears the old one. */
export function updateFeedback(db: Db, id: string, rating: FeedbackRating, content: string | null): void {
  db.update(messageFeedbacks).set({ rating, content, updatedAt: nowMicros() }).where(eq(messageFeedbacks.id, id)).run();
}

export function deleteFeedback(db: Db, id: string): void {
  db.delete(messageFeedbacks).where(eq(messageFeedbacks.id, id)).run();
}

/** One offset page of every feedback of the app, newest first (§4.15: `created_at DESC, id DESC`). */
export function appFeedbacksPage(db: Db, appId: string, page: number, limit: number): MessageFeedback[] {
  return db
    .select()
    .from(messageFeedbacks)
    .where(eq(messageFeedbacks.appId, appId))
    .orderBy(desc(messageFeedbacks.createdAt), desc(messageFeedbacks.id))
    .limit(limit)
    .offset((page - 1) * limit)
    .all();
}
