/**
 * The migrations drizzle-kit generated, embedded as text: drizzle's folder migrator reads files
 * from disk, which a compiled binary does not have. Add each new migration here in journal order;
 * a test checks this list against `meta/_journal.json`.
 */
import init from "./0000_init.sql" with { type: "text" };

export const migrations: ReadonlyArray<{ tag: string; sql: string }> = [{ tag: "0000_init", sql: init }];
