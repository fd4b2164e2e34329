/**
 * Everything a running Kiln shares between requests: settings, the database, the auth and
 * end-user caches. Routes receive this object and pass pieces of it to the core; nothing in
 * here knows about HTTP.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "bun:sqlite";
import type { Settings } from "./config";
import { Authenticator } from "./http/auth";
import { EndUsers } from "./http/end-user";
import { ConcurrencyLimit } from "./apps/concurrency-limit";
import { ModelRegistry } from "./models/registry";
import type { Sandbox } from "./sandbox/types";
import { createSandbox } from "./sandbox/worker-pool";
import { openDatabase, type Db } from "./store/database";
import { TaskRegistry } from "./tasks/task-registry";

export interface Services {
  settings: Settings;
  db: Db;
  sqlite: Database;
  auth: Authenticator;
  endUsers: EndUsers;
  models: ModelRegistry;
  tasks: TaskRegistry;
  concurrency: ConcurrencyLimit;
  /** Code and template nodes; its worker threads start on first use (or `warmUp`). */
  sandbox: Sandbox;
  /** Base URL for links placed in responses; known once the server listens. */
  publicUrl: string;
  close(): Promise<void>;
}

export const databasePath = (dataDir: string) => join(dataDir, "kiln.db");

/** Throws `ModelConfigError` or `SettingsError` for bad configuration, before anything listens. */
export function createServices(settings: Settings): Services {
  const models = ModelRegistry.create({ providers: settings.file.providers, env: settings.env });
  mkdirSync(settings.dataDir, { recursive: true });
  const { db, sqlite } = openDatabase(databasePath(settings.dataDir));
  const sandbox = createSandbox({ workers: settings.sandboxWorkers, cacheDir: join(settings.dataDir, "cache") });
  return {
    settings,
    db,
    sqlite,
    auth: new Authenticator(db, settings.keyCacheTtlMs),
    endUsers: new EndUsers(db),
    models,
    tasks: new TaskRegistry(),
    concurrency: new ConcurrencyLimit({ appDefault: settings.appDefaultActiveRequests, global: settings.appMaxActiveRequests }),
    sandbox,
    publicUrl: settings.publicUrl || `http://${settings.host}:${settings.port}`,
    async close() {
      await sandbox.close();
      sqlite.close(false);
    },
  };
}
