/**
 * The management verbs of the CLI (`app …`, `key …`): each opens the data folder's database,
 * does one thing and prints a line for people or, with `--json`, a JSON line for scripts.
 * They are safe while the server runs (WAL; the server's key cache expires within seconds).
 */
import { mkdirSync, readFileSync } from "node:fs";
import type { Settings } from "../config";
import { exportApp } from "../dsl/export-app";
import { importApp } from "../dsl/import-app";
import { parseDsl } from "../dsl/parse-dsl";
import { createApiKey, listApiKeys, revokeApiKey } from "../store/api-keys";
import { deleteApp, findApp, listApps } from "../store/apps";
import { toSeconds } from "../store/clock";
import { openDatabase, type Db } from "../store/database";
import { databasePath } from "../services";

export class CliError extends Error {}

export interface CliOutput {
  json: boolean;
  print(line: string): void;
}

function withDatabase<T>(settings: Settings, action: (db: Db) => T): T {
  mkdirSync(settings.dataDir, { recursive: true });
  const { db, sqlite } = openDatabase(databasePath(settings.dataDir));
  try {
    return action(db);
  } finally {
    sqlite.close(false);
  }
}

function requireApp(db: Db, appId: string | undefined) {
  if (!appId) throw new CliError("missing APP_ID");
  const app = findApp(db, appId);
  if (!app) throw new CliError(`no app with id ${appId}`);
  return app;
}

export function appImport(settings: Settings, out: CliOutput, file: string | undefined): void {
  if (!file) throw new CliError("missing FILE: kiln app import FILE");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const definition = parseDsl(text);
  const { app, apiKey } = withDatabase(settings, (db) => importApp(db, definition));
  if (out.json) out.print(JSON.stringify({ app_id: app.id, api_key: apiKey, mode: app.mode, name: app.name }));
  else out.print(`imported ${app.mode} app "${app.name}"\n  app id:  ${app.id}\n  api key: ${apiKey}`);
}

export function appList(settings: Settings, out: CliOutput): void {
  const apps = withDatabase(settings, listApps);
  if (out.json) {
    out.print(JSON.stringify(apps.map((app) => ({ app_id: app.id, name: app.name, mode: app.mode, created_at: toSeconds(app.createdAt) }))));
    return;
  }
  if (apps.length === 0) out.print("no apps yet: kiln app import FILE");
  for (const app of apps) out.print(`${app.id}  ${app.mode.padEnd(13)}  ${app.name}`);
}

export function appExport(settings: Settings, out: CliOutput, appId: string | undefined): void {
  out.print(withDatabase(settings, (db) => exportApp(db, requireApp(db, appId))).trimEnd());
}

export function appDelete(settings: Settings, out: CliOutput, appId: string | undefined): void {
  withDatabase(settings, (db) => deleteApp(db, requireApp(db, appId).id));
  out.print(out.json ? JSON.stringify({ result: "success", app_id: appId }) : `deleted app ${appId}`);
}

export function keyCreate(settings: Settings, out: CliOutput, appId: string | undefined): void {
  const key = withDatabase(settings, (db) => createApiKey(db, requireApp(db, appId).id));
  out.print(out.json ? JSON.stringify({ app_id: appId, api_key: key }) : key);
}

export function keyList(settings: Settings, out: CliOutput, appId: string | undefined): void {
  const keys = withDatabase(settings, (db) => listApiKeys(db, requireApp(db, appId).id));
  const rows = keys.map((key) => ({
    api_key: key.token,
    created_at: toSeconds(key.createdAt),
    last_used_at: key.lastUsedAt === null ? null : toSeconds(key.lastUsedAt),
  }));
  if (out.json) out.print(JSON.stringify(rows));
  else for (const row of rows) out.print(`${row.api_key}  last used: ${row.last_used_at === null ? "never" : new Date(row.last_used_at * 1000).toISOString()}`);
}

export function keyRevoke(settings: Settings, out: CliOutput, key: string | undefined): void {
  if (!key) throw new CliError("missing KEY: kiln key revoke KEY");
  if (!withDatabase(settings, (db) => revokeApiKey(db, key))) throw new CliError("no such API key");
  out.print(out.json ? JSON.stringify({ result: "success" }) : "revoked");
}
