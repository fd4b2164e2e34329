/**
 * Workflow runs, their node executions and the app log rows (workflow-engine §4; service-api
 * §4.8, §4.10). A run row is written `running` when it starts and completed when it ends; node
 * rows likewise, so a crash leaves an honest trail.
 */
import { and, count, desc, eq, gte, lte, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "./database";
import { endUsers, workflowAppLogs, workflowNodeExecutions, workflowRuns } from "./schema";

export type WorkflowRun = typeof workflowRuns.$inferSelect;
export type NodeExecution = typeof workflowNodeExecutions.$inferSelect;

export function insertWorkflowRun(db: Db, run: WorkflowRun, appLog: { createdFrom: string } | null): void {
  db.$client.transaction(() => {
    db.insert(workflowRuns).values(run).run();
    if (appLog) {
      db.insert(workflowAppLogs)
        .values({
          id: crypto.randomUUID(),
          appId: run.appId,
          workflowId: run.workflowId,
          workflowRunId: run.id,
          createdFrom: appLog.createdFrom,
          createdByRole: run.createdByRole,
          createdByEndUserId: run.createdBy,
          createdAt: run.createdAt,
        })
        .run();
    }
  })();
}

export function finishWorkflowRun(db: Db, id: string, values: Pick<WorkflowRun, "status" | "outputs" | "error" | "elapsedTime" | "totalTokens" | "totalSteps" | "exceptionsCount" | "finishedAt">): void {
  db.update(workflowRuns).set(values).where(eq(workflowRuns.id, id)).run();
}

export function findWorkflowRun(db: Db, appId: string, id: string): WorkflowRun | undefined {
  return db.select().from(workflowRuns).where(and(eq(workflowRuns.appId, appId), eq(workflowRuns.id, id))).get();
}

export function insertNodeExecution(db: Db, row: NodeExecution): void {
  db.insert(workflowNodeExecutions).values(row).run();
}

export function updateNodeExecution(db: Db, id: string, values: Partial<NodeExecution>): void {
  db.update(workflowNodeExecutions).set(values).where(eq(workflowNodeExecutions.id, id)).run();
}

export function nodeExecutionsOfRun(db: Db, runId: string): NodeExecution[] {
  return db.select().from(workflowNodeExecutions).where(eq(workflowNodeExecutions.workflowRunId, runId)).orderBy(workflowNodeExecutions.index).all();
}

export interface LogFilters {
  keyword?: string;
  /** Matched exactly against the run id, beside the keyword's text match. */
  runId?: string;
  status?: string;
  createdBefore?: number;
  createdAfter?: number;
  sessionId?: string;
}

/** One offset page of the app's run log, newest first (§4.10). */
export function workflowLogsPage(db: Db, appId: string, filters: LogFilters, page: number, limit: number) {
  const conditions: (SQL | undefined)[] = [eq(workflowAppLogs.appId, appId)];
  if (filters.status) conditions.push(eq(workflowRuns.status, filters.status));
  if (filters.createdBefore !== undefined) conditions.push(lte(workflowAppLogs.createdAt, filters.createdBefore));
  if (filters.createdAfter !== undefined) conditions.push(gte(workflowAppLogs.createdAt, filters.createdAfter));
  if (filters.sessionId !== undefined) conditions.push(eq(endUsers.sessionId, filters.sessionId));
  if (filters.keyword) {
    // LIKE is case-insensitive for ASCII in SQLite; the keyword's own % and _ are escaped.
    const pattern = `%${filters.keyword.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    conditions.push(
      or(
        sql`${workflowRuns.inputs} LIKE ${pattern} ESCAPE '\\'`,
        sql`${workflowRuns.outputs} LIKE ${pattern} ESCAPE '\\'`,
        sql`${endUsers.sessionId} LIKE ${pattern} ESCAPE '\\'`,
        eq(workflowRuns.id, filters.runId ?? filters.keyword),
      ),
    );
  }
  const where = and(...conditions);
  const base = () =>
    db
      .select({ log: workflowAppLogs, run: workflowRuns, endUser: endUsers })
      .from(workflowAppLogs)
      .innerJoin(workflowRuns, eq(workflowRuns.id, workflowAppLogs.workflowRunId))
      .leftJoin(endUsers, eq(endUsers.id, workflowAppLogs.createdByEndUserId));
  const rows = base().where(where).orderBy(desc(workflowAppLogs.createdAt)).limit(limit).offset((page - 1) * limit).all();
  const [{ total }] = db
    .select({ total: count() })
    .from(workflowAppLogs)
    .innerJoin(workflowRuns, eq(workflowRuns.id, workflowAppLogs.workflowRunId))
    .leftJoin(endUsers, eq(endUsers.id, workflowAppLogs.createdByEndUserId))
    .where(where)
    .all();
  return { rows, total };
}


