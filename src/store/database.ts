/**
 * Opens the SQLite database in the data folder and applies the embedded migrations.
 *
 * Pragmas, and why:
 * - `journal_mode=WAL`: readers never block the writer, and the CLI can create or revoke keys
 *   while the server runs.
 * - `synchronous=NORMAL`: with WAL this is safe against process crashes; only an OS crash or
 *   power loss can drop the last transactions, in exchange for far fewer fsyncs per message.
 * - `busy_timeout=5000`: a second process (the CLI) waits for the write lock instead of failing.
 * - `foreign_keys=ON`: deleting an app cascades to its keys, users, conversations and runs.
 * - `temp_store=MEMORY`, `cache_size=-32000` (32 MB): sorts and hot pages stay in memory.
 * - `wal_autocheckpoint=8000` (about 32 MB of WAL): a checkpoint copies each changed page once, however
 *   often it changed since the last one, so checkpointing less often removes most of the write
 *   amplification of hot index pages (measured: the chat benchmark's SQLite time roughly halves).
 */
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { migrations } from "./migrations";
import * as schema from "./schema";

export type Db = ReturnType<typeof openDatabase>["db"];

export function openDatabase(path: string) {
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA foreign_keys = ON");
  sqlite.exec("PRAGMA temp_store = MEMORY");
  sqlite.exec("PRAGMA cache_size = -32000");
  sqlite.exec("PRAGMA wal_autocheckpoint = 8000");
  applyMigrations(sqlite);
  return { sqlite, db: drizzle(sqlite, { schema }) };
}

function applyMigrations(sqlite: Database): void {
  sqlite.exec("CREATE TABLE IF NOT EXISTS kiln_migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const applied = new Set(
    sqlite.query<{ tag: string }, []>("SELECT tag FROM kiln_migrations").all().map((row) => row.tag),
  );
  for (const migration of migrations) {
    if (applied.has(migration.tag)) continue;
    // IMMEDIATE takes the write lock first, so two processes starting together cannot both apply.
    sqlite.transaction(() => {
      const again = sqlite.query("SELECT 1 FROM kiln_migrations WHERE tag = ?").get(migration.tag);
      if (again) return;
      for (const statement of migration.sql.split("--> statement-breakpoint")) {
        if (statement.trim()) sqlite.exec(statement);
      }
      sqlite.query("INSERT INTO kiln_migrations (tag, applied_at) VALUES (?, ?)").run(migration.tag, Date.now());
    }).immediate();
  }
}
