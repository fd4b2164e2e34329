/**
 * The reference for the chat benchmark: a bare `Bun.serve` handler that parses the same request
 * and does the same SQLite writes as a blocking `chat-messages` call on a new conversation
 * (conversation insert, message insert, message update, conversation update), with the same
 * pragmas, and answers a JSON body of similar size. Usage: bun reference-server.ts PORT DB_PATH
 */
import { Database } from "bun:sqlite";

const [port, path] = [Number(process.argv[2]), process.argv[3]];
const db = new Database(path, { create: true, strict: true });
for (const pragma of ["journal_mode = WAL", "synchronous = NORMAL", "busy_timeout = 5000", "temp_store = MEMORY", "cache_size = -32000", "wal_autocheckpoint = 8000"]) db.exec(`PRAGMA ${pragma}`);
db.exec("CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, app_id TEXT, end_user_id TEXT, name TEXT, inputs TEXT, created_at INTEGER, updated_at INTEGER)");
db.exec("CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, conversation_id TEXT, query TEXT, answer TEXT, status TEXT, metadata TEXT, created_at INTEGER, updated_at INTEGER)");
const insertConversation = db.prepare("INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?)");
const insertMessage = db.prepare("INSERT INTO messages VALUES (?, ?, ?, '', 'normal', '{}', ?, ?)");
const updateMessage = db.prepare("UPDATE messages SET answer = ?, metadata = ?, updated_at = ? WHERE id = ?");
const touchConversation = db.prepare("UPDATE conversations SET updated_at = ? WHERE id = ?");

Bun.serve({
  port,
  hostname: "127.0.0.1",
  async fetch(request) {
    if (request.method === "GET") return new Response("ok");
    const body = (await request.json()) as { query: string; user: string; inputs: Record<string, unknown> };
    const now = Date.now() * 1000;
    const conversationId = crypto.randomUUID();
    const messageId = crypto.randomUUID();
    insertConversation.run(conversationId, "app", body.user, body.query.slice(0, 20), JSON.stringify(body.inputs), now, now);
    insertMessage.run(messageId, conversationId, body.query, now, now);
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    updateMessage.run(body.query, JSON.stringify({ usage }), now, messageId);
    touchConversation.run(now, conversationId);
    return Response.json({ event: "message", id: messageId, conversation_id: conversationId, answer: body.query, metadata: { usage } });
  },
});
