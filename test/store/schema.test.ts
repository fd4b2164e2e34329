// The embedded migrations and the drizzle schema must agree, or queries fail at run time.
import { expect, test } from "bun:test";
import { getTableColumns, getTableName } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import { rmSync } from "node:fs";
import { join } from "node:path";
import journal from "../../src/store/migrations/meta/_journal.json";
import { migrations } from "../../src/store/migrations";
import { openDatabase } from "../../src/store/database";
import * as schema from "../../src/store/schema";
import { makeTempDir } from "../harness";

test("every migration in the journal is embedded, in order", () => {
  expect(migrations.map((migration) => migration.tag)).toEqual(journal.entries.map((entry) => entry.tag));
});

test("the migrated database has every table and column of the schema, in WAL mode", () => {
  const dir = makeTempDir();
  try {
    const { sqlite } = openDatabase(join(dir, "kiln.db"));
    for (const table of Object.values(schema).filter((value) => value instanceof SQLiteTable)) {
      const columns = sqlite.query<{ name: string }, []>(`PRAGMA table_info(${getTableName(table as SQLiteTable)})`).all().map((column) => column.name);
      for (const column of Object.values(getTableColumns(table as SQLiteTable))) expect(columns).toContain(column.name);
    }
    expect(sqlite.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
    sqlite.close();
    // Opening again applies nothing twice.
    openDatabase(join(dir, "kiln.db")).sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
