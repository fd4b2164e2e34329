/** End users: one per (app, `user` string), created on first sight (§2.3). */
import { and, eq } from "drizzle-orm";
import { nowMicros } from "./clock";
import type { Db } from "./database";
import { endUsers, type EndUser } from "./schema";

/** The shared identity of callers that send no `user` where it is optional (§2.3, §13.16). */
export const DEFAULT_USER = "DEFAULT-USER";

export function getOrCreateEndUser(db: Db, appId: string, sessionId: string): EndUser {
  const existing = db
    .select()
    .from(endUsers)
    .where(and(eq(endUsers.appId, appId), eq(endUsers.sessionId, sessionId)))
    .get();
  if (existing) return existing;
  const created: EndUser = {
    id: crypto.randomUUID(),
    appId,
    type: "service-api",
    sessionId,
    isAnonymous: sessionId === DEFAULT_USER,
    createdAt: nowMicros(),
  };
  // Two first requests of the same user can race; the unique index keeps one row.
  db.insert(endUsers).values(created).onConflictDoNothing().run();
  return db
    .select()
    .from(endUsers)
    .where(and(eq(endUsers.appId, appId), eq(endUsers.sessionId, sessionId)))
    .get()!;
}

export function findEndUser(db: Db, id: string): EndUser | undefined {
  return db.select().from(endUsers).where(eq(endUsers.id, id)).get();
}
