/**
 * The writes every chat or completion turn makes, as prepared statements built once per database.
 * Drizzle otherwise rebuilds and re-prepares the SQL of a 20-column insert on every call, which
 * profiled at most of a turn's CPU time; with placeholders only the parameters are bound.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "./database";
import { conversations, messages } from "./schema";
import type { Conversation } from "./conversations";
import type { Message } from "./messages";

type NewConversation = Omit<Conversation, "status" | "fromSource" | "invokeFrom">;
type NewMessage = Omit<Message, "updatedAt">;
export type MessageResult = Pick<Message, "status" | "error" | "answer" | "messageTokens" | "answerTokens" | "totalPrice" | "currency" | "latency" | "metadata" | "updatedAt">;

const p = (name: string) => sql.placeholder(name);

function prepareAll(db: Db) {
  return {
    insertConversation: db
      .insert(conversations)
      .values({
        id: p("id"), appId: p("appId"), endUserId: p("endUserId"), mode: p("mode"), name: p("name"), inputs: p("inputs"),
        introduction: p("introduction"), dialogueCount: p("dialogueCount"), createdAt: p("createdAt"), updatedAt: p("updatedAt"),
      })
      .prepare(),
    touchConversation: db
      .update(conversations)
      .set({ updatedAt: sql`${p("updatedAt")}`, dialogueCount: sql`${conversations.dialogueCount} + 1` })
      .where(eq(conversations.id, p("id")))
      .prepare(),
    insertMessage: db
      .insert(messages)
      .values({
        id: p("id"), appId: p("appId"), conversationId: p("conversationId"), endUserId: p("endUserId"), query: p("query"), inputs: p("inputs"),
        answer: p("answer"), status: p("status"), error: p("error"), modelProvider: p("modelProvider"), modelId: p("modelId"),
        messageTokens: p("messageTokens"), answerTokens: p("answerTokens"), totalPrice: p("totalPrice"), currency: p("currency"),
        latency: p("latency"), metadata: p("metadata"), workflowRunId: p("workflowRunId"), traceId: p("traceId"),
        createdAt: p("createdAt"), updatedAt: p("updatedAt"),
      })
      .prepare(),
    finishMessage: db
      .update(messages)
      .set({
        status: sql`${p("status")}`, error: sql`${p("error")}`, answer: sql`${p("answer")}`, messageTokens: sql`${p("messageTokens")}`,
        answerTokens: sql`${p("answerTokens")}`, totalPrice: sql`${p("totalPrice")}`, currency: sql`${p("currency")}`,
        latency: sql`${p("latency")}`, metadata: sql`${p("metadata")}`, updatedAt: sql`${p("updatedAt")}`,
      })
      .where(eq(messages.id, p("id")))
      .prepare(),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepareAll>>();

function statements(db: Db) {
  let cached = prepared.get(db);
  if (!cached) {
    cached = prepareAll(db);
    prepared.set(db, cached);
  }
  return cached;
}

/** Creates the turn's records in one transaction: a new conversation or a touched one, and the message. */
export function writeTurnStart(db: Db, turn: { newConversation?: NewConversation; conversationId: string; message: NewMessage }): void {
  const { insertConversation, touchConversation, insertMessage } = statements(db);
  db.$client.transaction(() => {
    // Placeholders inside `values()` go through the columns' JSON encoders; those inside raw `sql`
    // fragments (the updates) do not, so the updates stringify JSON themselves.
    if (turn.newConversation) insertConversation.run(turn.newConversation);
    else touchConversation.run({ id: turn.conversationId, updatedAt: turn.message.createdAt });
    insertMessage.run({ ...turn.message, updatedAt: turn.message.createdAt });
  })();
}

export function writeMessageResult(db: Db, id: string, result: MessageResult): void {
  statements(db).finishMessage.run({ ...result, id, metadata: JSON.stringify(result.metadata) });
}
