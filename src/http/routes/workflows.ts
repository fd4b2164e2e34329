/**
 * Workflow app routes (§4.6–§4.10): run (current or a named version), run detail, stop, and the
 * run log. Query schemas use TypeBox's own `Type`: Elysia's `t.Integer` also admits unbounded
 * strings, which would let `limit=0` through.
 */
import { Type } from "@sinclair/typebox";
import type { Server } from "bun";
import { Elysia } from "elysia";
import { prepareWorkflowAppRun, runWorkflowApp, type PreparedWorkflowRun } from "../../apps/workflow-app";
import { invalidParam, notFound, notWorkflowApp } from "../../errors";
import type { Services } from "../../services";
import { toSeconds } from "../../store/clock";
import type { App } from "../../store/schema";
import { findWorkflowRun, workflowLogsPage } from "../../store/workflow-runs";
import { apiKeyGuard } from "../api-key-guard";
import { jsonResponse } from "../json-response";
import { readJsonBody, validateBody, validateQuery } from "../request-input";
import { openSse } from "../sse";
import { resolveTraceId } from "../trace-id";

const WorkflowRunRequest = Type.Object({
  inputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  files: Type.Optional(Type.Union([Type.Array(Type.Unknown()), Type.Null()])),
  response_mode: Type.Optional(Type.Union([Type.Literal("blocking"), Type.Literal("streaming"), Type.Null()])),
});

const LogsQuery = Type.Object({
  keyword: Type.Optional(Type.String()),
  status: Type.Optional(Type.Union([Type.Literal("succeeded"), Type.Literal("failed"), Type.Literal("stopped")])),
  created_at__before: Type.Optional(Type.String()),
  created_at__after: Type.Optional(Type.String()),
  created_by_end_user_session_id: Type.Optional(Type.String()),
  created_by_account: Type.Optional(Type.String()),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 99999 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

const seconds = (micros: number | null) => (micros === null ? null : toSeconds(micros));

function requireWorkflowApp(app: App): void {
  if (app.mode !== "workflow") throw notWorkflowApp();
}

// ISO 8601 as Dify's isoparse reads it: a calendar date (extended or basic), then optionally a
// time after `T` or a space, with fractions and an offset. Date.parse would not do: it reads a
// naive time in the server's zone and takes non-ISO text ("1", "2024/01/02").
const ISO_INSTANT =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|(\d{2})(\d{2}))?(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,6})\d*)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Unix microseconds of an ISO 8601 instant; a naive one is UTC, as Dify's naive UTC columns make it. */
function isoToMicros(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const invalid = () => invalidParam(`${field}: Invalid isoformat string: '${value}'`);
  const match = ISO_INSTANT.exec(value);
  if (!match) throw invalid();
  const [, year, extendedMonth, extendedDay, basicMonth, basicDay, hour = "0", minute = "0", second = "0", fraction = "", offset] = match;
  const [y, mo, d, h, mi, s] = [year, extendedMonth ?? basicMonth ?? "1", extendedDay ?? basicDay ?? "1", hour, minute, second].map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  date.setUTCFullYear(y); // Date.UTC maps years 0–99 to 1900–1999
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw invalid();
  let offsetMinutes = 0;
  if (offset && offset !== "Z") {
    const digits = offset.slice(1).replace(":", "");
    const [offsetHours, offsetMins] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || 0)];
    if (offsetHours > 23 || offsetMins > 59) throw invalid();
    offsetMinutes = (offset[0] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return (date.getTime() - offsetMinutes * 60_000) * 1000 + Number(fraction.padEnd(6, "0"));
}

async function respond(services: Services, prepared: PreparedWorkflowRun, streaming: boolean, server: Server<undefined> | null, request: Request): Promise<Response> {
  const { execution } = prepared;
  if (!streaming) {
    const { result } = await runWorkflowApp(prepared, () => {});
    const run = findWorkflowRun(services.db, execution.app.id, execution.runId)!;
    return jsonResponse({
      task_id: execution.task.id,
      workflow_run_id: execution.runId,
      data: {
        id: execution.runId, workflow_id: execution.workflow.id, status: result.status, outputs: result.outputs, error: result.error,
        elapsed_time: result.elapsedTime, total_tokens: result.totalTokens, total_steps: result.totalSteps,
        created_at: toSeconds(run.createdAt), finished_at: seconds(run.finishedAt),
      },
    }, 200, { "Content-Type": "application/json; charset=utf-8" });
  }
  const { response, channel } = openSse(server, request, {
    pingIntervalMs: services.settings.pingIntervalMs,
    leadingPing: true,
    onDisconnect: prepared.release,
  });
  void runWorkflowApp(prepared, (event) => channel.emit(event))
    .catch((error) => {
      console.error("[kiln] workflow run failed:", error);
      channel.emit({ event: "error", workflow_run_id: execution.runId, code: "internal_server_error", status: 500, message: "Internal Server Error, please contact support." });
    })
    .finally(() => channel.close());
  return response;
}

export const workflowRoutes = (services: Services) => {
  const run = async (app: App, request: Request, server: Server<undefined> | null, workflowId: string | null) => {
    const raw = await readJsonBody(request);
    const endUser = services.endUsers.resolve(app, raw.user, true);
    requireWorkflowApp(app);
    const body = validateBody(WorkflowRunRequest, raw);
    const prepared = await prepareWorkflowAppRun(services, app, endUser, {
      workflowId, inputs: body.inputs ?? {}, files: body.files, traceId: resolveTraceId(request, raw),
    });
    return respond(services, prepared, body.response_mode === "streaming", server, request);
  };

  return new Elysia({ prefix: "/v1" })
    .use(apiKeyGuard(services))
    .post("/workflows/run", ({ app, request, server }) => run(app, request, server, null), { parse: "none" })
    .post("/workflows/:workflow_id/run", ({ app, request, server, params }) => run(app, request, server, params.workflow_id), { parse: "none" })
    .get("/workflows/run/:workflow_run_id", ({ app, params }) => {
      if (app.mode !== "workflow" && app.mode !== "advanced-chat") throw notWorkflowApp();
      const found = findWorkflowRun(services.db, app.id, params.workflow_run_id);
      if (!found) throw notFound("Workflow run not found.");
      return jsonResponse({
        id: found.id, workflow_id: found.workflowId, status: found.status,
        // §4.8: inputs are the stored JSON text; outputs an object as in 1.13+.
        inputs: JSON.stringify(found.inputs), outputs: found.outputs ?? {}, error: found.error,
        total_steps: found.totalSteps, total_tokens: found.totalTokens, created_at: toSeconds(found.createdAt),
        finished_at: seconds(found.finishedAt), elapsed_time: found.elapsedTime,
      });
    })
    .post(
      "/workflows/tasks/:task_id/stop",
      async ({ app, request, params }) => {
        const raw = await readJsonBody(request);
        services.endUsers.resolve(app, raw.user, true);
        requireWorkflowApp(app);
        // §4.9: no ownership check for workflow stops.
        services.tasks.stop(params.task_id, { appId: app.id, kind: "workflow" });
        return jsonResponse({ result: "success" });
      },
      { parse: "none" },
    )
    .get("/workflows/logs", ({ app, request }) => {
      const query = validateQuery(LogsQuery, request);
      if (query.created_by_account !== undefined) throw invalidParam(`Account not found: ${query.created_by_account}`);
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const { rows, total } = workflowLogsPage(services.db, app.id, {
        keyword: query.keyword?.slice(0, 30),
        // The run id is matched against the whole keyword: a 36-character id outlasts the cut.
        runId: query.keyword,
        status: query.status,
        createdBefore: isoToMicros(query.created_at__before, "created_at__before"),
        createdAfter: isoToMicros(query.created_at__after, "created_at__after"),
        sessionId: query.created_by_end_user_session_id,
      }, page, limit);
      return jsonResponse({
        page, limit, total, has_more: total > page * limit,
        data: rows.map(({ log, run, endUser }) => ({
          id: log.id,
          workflow_run: {
            id: run.id, version: run.version, status: run.status, triggered_from: run.triggeredFrom, error: run.error,
            elapsed_time: run.elapsedTime, total_tokens: run.totalTokens, total_steps: run.totalSteps,
            created_at: toSeconds(run.createdAt), finished_at: seconds(run.finishedAt), exceptions_count: run.exceptionsCount,
          },
          details: null,
          created_from: log.createdFrom,
          created_by_role: log.createdByRole,
          created_by_account: null,
          created_by_end_user: endUser ? { id: endUser.id, type: endUser.type, is_anonymous: false, session_id: endUser.sessionId } : null,
          created_at: toSeconds(log.createdAt),
        })),
      });
    });
};
