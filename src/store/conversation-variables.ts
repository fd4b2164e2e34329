/**
 * Conversation variables of chatflows (workflow-engine §3.5; service-api §4.20–§4.21): rows keyed
 * by the DSL variable's id within a conversation, created from the declared defaults on the first
 * turn, and added when a later version declares new ones.
 */
import { and, asc, eq, gt, sql, type SQL } from "drizzle-orm";
import { nowMicros } from "./clock";
import type { Db } from "./database";
import { conversationVariables } from "./schema";

export type ConversationVariable = typeof conversationVariables.$inferSelect;

export interface DeclaredVariable {
  id: string;
  name: string;
  value_type: string;
  value: unknown;
  description?: string;
}

/** The conversation's variables in declared order, creating any that do not exist yet. */
export function loadConversationVariables(db: Db, appId: string, conversationId: string, declared: DeclaredVariable[]): ConversationVariable[] {
  return db.transaction((tx) => {
    const existing = new Map(
      tx.select().from(conversationVariables).where(eq(conversationVariables.conversationId, conversationId)).all().map((row) => [row.id, row]),
    );
    return declared.map((variable) => {
      const found = existing.get(variable.id);
      if (found) return found;
      const now = nowMicros();
      const row: ConversationVariable = {
        id: variable.id, conversationId, appId, name: variable.name, valueType: variable.value_type, value: variable.value,
        description: variable.description ?? "", createdAt: now, updatedAt: now,
      };
      tx.insert(conversationVariables).values(row).run();
      return row;
    });
  });
}

export function setConversationVariable(db: Db, conversationId: string, id: string, value: unknown): ConversationVariable | undefined {
  return db
    .update(conversationVariables)
    .set({ value, updatedAt: nowMicros() })
    .where(and(eq(conversationVariables.conversationId, conversationId), eq(conversationVariables.id, id)))
    .returning()
    .get();
}

export function findConversationVariable(db: Db, conversationId: string, id: string): ConversationVariable | undefined {
  return db.select().from(conversationVariables).where(and(eq(conversationVariables.conversationId, conversationId), eq(conversationVariables.id, id))).get();
}

/** One keyset page, oldest first (§4.20): `limit + 1` rows decide `has_more`. */
export function conversationVariablesPage(db: Db, conversationId: string, options: { limit: number; after?: ConversationVariable; nameContains?: string }) {
  const conditions: (SQL | undefined)[] = [eq(conversationVariables.conversationId, conversationId)];
  if (options.after) conditions.push(gt(conversationVariables.createdAt, options.after.createdAt));
  // The route admits only [A-Za-z0-9_.-] in the name filter; `_` is LIKE's one wildcard among them.
  if (options.nameContains) {
    conditions.push(sql`${conversationVariables.name} LIKE ${`%${options.nameContains.replaceAll("_", "\\_")}%`} ESCAPE '\\'`);
  }
  const rows = db
    .select()
    .from(conversationVariables)
    .where(and(...conditions))
    .orderBy(asc(conversationVariables.createdAt))
    .limit(options.limit + 1)
    .all();
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}
