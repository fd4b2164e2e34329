/** Apps and their published workflow versions. */
import { desc, eq } from "drizzle-orm";
import { nowMicros } from "./clock";
import type { Db } from "./database";
import { apps, workflows, type App, type Workflow } from "./schema";

export function findApp(db: Db, id: string): App | undefined {
  return db.select().from(apps).where(eq(apps.id, id)).get();
}

export function listApps(db: Db): App[] {
  return db.select().from(apps).orderBy(apps.createdAt).all();
}

/** Deletes the app; its keys, end users, conversations, runs and files rows go with it. */
export function deleteApp(db: Db, id: string): boolean {
  return db.delete(apps).where(eq(apps.id, id)).returning({ id: apps.id }).all().length > 0;
}

export function findWorkflow(db: Db, id: string): Workflow | undefined {
  return db.select().from(workflows).where(eq(workflows.id, id)).get();
}

/** The version that runs when a request names none. */
export function findPublishedWorkflow(db: Db, app: App): Workflow | undefined {
  return app.workflowId ? findWorkflow(db, app.workflowId) : undefined;
}

export function listWorkflows(db: Db, appId: string): Workflow[] {
  return db.select().from(workflows).where(eq(workflows.appId, appId)).orderBy(desc(workflows.createdAt)).all();
}

/** Dify writes a published version as the publish time, `2024-08-01 12:17:09.771832`. */
export function publishVersionName(micros = nowMicros()): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros % 1_000_000).padStart(6, "0")}`;
}
