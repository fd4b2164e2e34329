// GET /v1/workflows/run/{workflow_run_id} (service-api.md §4.8) and the node executions a run
// leaves in SQLite (workflow-engine §4), over HTTP.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq } from "drizzle-orm";
import { workflowNodeExecutions } from "../../src/store/schema";
import { startTestServer, type TestApp, type TestServer } from "../harness";
import { sseFrames } from "../sse";
import { errorOf, okJson } from "./chat-turns";
import { runWorkflow } from "./workflow-requests";

// The first python code node loads CPython into a sandbox worker (a few seconds).
setDefaultTimeout(30_000);

let server: TestServer;
let echo: TestApp;
beforeAll(async () => {
  server = await startTestServer();
  echo = server.importApp("wf-echo.yml");
});
afterAll(() => server.stop());

interface RunDetail {
  id: string;
  workflow_id: string;
  status: string;
  inputs: string;
  outputs: Record<string, unknown>;
  error: string | null;
  total_steps: number;
  total_tokens: number;
  created_at: number;
  finished_at: number | null;
  elapsed_time: number;
}

const detail = (key: string, runId: string) => server.request(`/v1/workflows/run/${runId}`, { key });
const blockingRun = async (app: TestApp, inputs: Record<string, unknown>, user = "u") =>
  (await okJson<{ workflow_run_id: string; task_id: string; data: Record<string, unknown> }>(await runWorkflow(server, app.apiKey, { inputs, user })));
const nodeRows = (runId: string) =>
  server.services.db.select().from(workflowNodeExecutions).where(eq(workflowNodeExecutions.workflowRunId, runId)).orderBy(workflowNodeExecutions.index).all();

describe("GET /workflows/run/{id}", () => {
  test("a finished run: fields in §4.8 order, inputs as JSON text with the sys.* keys, the blocking answer's figures", async () => {
    const run = await blockingRun(echo, { q: "detail me", tone: "loud" }, "detail-user");
    const response = await detail(echo.apiKey, run.workflow_run_id);
    const body = await okJson<RunDetail>(response);
    expect(Object.keys(body)).toEqual(["id", "workflow_id", "status", "inputs", "outputs", "error", "total_steps", "total_tokens", "created_at", "finished_at", "elapsed_time"]);
    expect(body).toMatchObject({
      id: run.workflow_run_id, workflow_id: run.data.workflow_id, status: "succeeded", outputs: { answer: "detail me" }, error: null,
      total_steps: run.data.total_steps, total_tokens: run.data.total_tokens, created_at: run.data.created_at, finished_at: run.data.finished_at,
    });
    expect(typeof body.inputs).toBe("string");
    expect(JSON.parse(body.inputs)).toMatchObject({
      q: "detail me", tone: "loud", count: null, "sys.files": [], "sys.user_id": "detail-user", "sys.app_id": echo.appId,
      "sys.workflow_id": run.data.workflow_id, "sys.workflow_run_id": run.workflow_run_id,
    });
    expect(body.elapsed_time).toBeGreaterThan(0);
  });

  test("a failed run shows its status and error", async () => {
    const app = server.importApp("wf-code-raises.yml");
    const run = await blockingRun(app, {});
    const body = await okJson<RunDetail>(await detail(app.apiKey, run.workflow_run_id));
    expect(body).toMatchObject({ status: "failed", outputs: {}, total_steps: 2 });
    expect(body.error).toContain("kiln test failure");
  });

  test("a run still going is running, with finished_at null", async () => {
    const app = server.importApp("wf-slow.yml");
    const response = await runWorkflow(server, app.apiKey, { inputs: { q: "a b c d e f" }, response_mode: "streaming" });
    let seen: RunDetail | undefined;
    for await (const frame of sseFrames(response)) {
      if (!seen && frame.data?.event === "text_chunk") seen = await okJson<RunDetail>(await detail(app.apiKey, frame.data.workflow_run_id));
    }
    expect(seen).toMatchObject({ status: "running", finished_at: null, outputs: {}, error: null });
  });

  test("unknown → 404; another app's run → 404; advanced-chat apps may ask", async () => {
    const notFound = { code: "not_found", message: "Workflow run not found.", status: 404 };
    expect(await errorOf(await detail(echo.apiKey, crypto.randomUUID()), 404)).toEqual(notFound);
    expect(await errorOf(await detail(echo.apiKey, "not-even-a-uuid"), 404)).toEqual(notFound);
    const run = await blockingRun(echo, { q: "mine" });
    const other = server.importApp("wf-echo.yml");
    expect(await errorOf(await detail(other.apiKey, run.workflow_run_id), 404)).toEqual(notFound);
    const advancedChat = server.importApp("advanced-chat.yml");
    expect(await errorOf(await detail(advancedChat.apiKey, run.workflow_run_id), 404)).toEqual(notFound);
  });
});

describe("node executions", () => {
  test("one row per node, 1-based indexes, the Start row's outputs equal to the user inputs", async () => {
    const run = await blockingRun(echo, { q: "persist nodes", count: 2, ignored: "dropped" });
    const rows = nodeRows(run.workflow_run_id);
    expect(rows.map((row) => [row.index, row.nodeId, row.nodeType, row.title, row.status])).toEqual([
      [1, "start", "start", "Start", "succeeded"],
      [2, "llm", "llm", "Echo", "succeeded"],
      [3, "end", "end", "End", "succeeded"],
    ]);
    expect(rows[0].outputs).toEqual({ q: "persist nodes", tone: null, count: 2 });
    expect(rows[1].outputs).toMatchObject({ text: "persist nodes" });
    expect(rows[2].outputs).toEqual({ answer: "persist nodes" });
    for (const row of rows) {
      expect(row).toMatchObject({ appId: echo.appId, workflowId: run.data.workflow_id, error: null });
      expect(row.finishedAt).toBeGreaterThanOrEqual(row.createdAt);
    }
    expect(new Set(rows.map((row) => row.id)).size).toBe(3);
  });

  test("a failing node's row is failed with its error; the nodes after it never start", async () => {
    const app = server.importApp("wf-code-raises.yml");
    const run = await blockingRun(app, {});
    const rows = nodeRows(run.workflow_run_id);
    expect(rows.map((row) => [row.index, row.nodeId, row.status])).toEqual([[1, "start", "succeeded"], [2, "code", "failed"]]);
    expect(rows[1].error).toContain("ValueError: kiln test failure");
  });

  test("a node handled by its error strategy is saved as exception; a retried node's row ends failed", async () => {
    const handled = server.importApp("wf-default-value.yml");
    const handledRows = nodeRows((await blockingRun(handled, {})).workflow_run_id);
    expect(handledRows.map((row) => row.status)).toEqual(["succeeded", "exception", "succeeded"]);
    expect(handledRows[1].outputs).toMatchObject({ result: "fallback" });
    const retried = server.importApp("wf-model-error.yml");
    const retriedRows = nodeRows((await blockingRun(retried, {})).workflow_run_id);
    expect(retriedRows.map((row) => [row.nodeId, row.status, row.error])).toEqual([["start", "succeeded", null], ["llm", "failed", "upstream down"]]);
  });
});
