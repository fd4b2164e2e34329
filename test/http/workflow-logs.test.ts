// GET /v1/workflows/logs (service-api.md §4.10): every filter, paging and its bounds, newest
// first, the item shape, and isolation between apps, over runs made through the API.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startTestServer, type TestApp, type TestServer } from "../harness";
import { sseFrames } from "../sse";
import { errorOf, okJson } from "./chat-turns";
import { runWorkflow } from "./workflow-requests";

interface LogItem {
  id: string;
  workflow_run: { id: string; version: string; status: string; triggered_from: string; error: string | null; created_at: number; finished_at: number | null; exceptions_count: number };
  created_by_end_user: { id: string; type: string; is_anonymous: boolean; session_id: string };
  [field: string]: unknown;
}
interface LogPage {
  page: number;
  limit: number;
  total: number;
  has_more: boolean;
  data: LogItem[];
}

// The first javascript code node starts a sandbox worker.
setDefaultTimeout(30_000);

let server: TestServer;
let logs: TestApp;
let other: TestApp;
/** Run ids in creation order: apple (alice), fail (bob), Grüße (carol), stopped (alice), plum (dave). */
const runs: string[] = [];
/** An instant after the second run was created and before the third. */
let middle: Date;

async function blockingRun(q: string, user: string): Promise<string> {
  return (await okJson<{ workflow_run_id: string }>(await runWorkflow(server, logs.apiKey, { inputs: { q }, user }))).workflow_run_id;
}

async function stoppedRun(q: string, user: string): Promise<string> {
  const response = await runWorkflow(server, logs.apiKey, { inputs: { q }, user, response_mode: "streaming" });
  let runId = "";
  let status = "";
  for await (const frame of sseFrames(response)) {
    if (frame.data?.event === "node_started" && frame.data.data.node_id === "llm") {
      runId = frame.data.workflow_run_id;
      await server.request(`/v1/workflows/tasks/${frame.data.task_id}/stop`, { method: "POST", key: logs.apiKey, json: { user: "anyone" } });
    }
    if (frame.data?.event === "workflow_finished") status = frame.data.data.status;
  }
  expect(status).toBe("stopped");
  return runId;
}

beforeAll(async () => {
  server = await startTestServer();
  logs = server.importApp("wf-logs.yml");
  other = server.importApp("wf-logs.yml");
  runs.push(await blockingRun("apple pie", "alice"));
  runs.push(await blockingRun("fail banana", "bob"));
  middle = new Date();
  runs.push(await blockingRun("Grüße cherry", "carol"));
  runs.push(await stoppedRun("stop w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20", "alice"));
  runs.push(await blockingRun("date plum", "dave"));
});
afterAll(() => server.stop());

const page = async (query: Record<string, string>, key = logs.apiKey) => okJson<LogPage>(await server.request(`/v1/workflows/logs?${new URLSearchParams(query)}`, { key }));
const runIdsOf = async (query: Record<string, string>, key?: string) => (await page(query, key)).data.map((item) => item.workflow_run.id);
/** Run ids newest first, as the log lists them. */
const newestFirst = (...positions: number[]) => positions.map((position) => runs[position]).reverse();

describe("listing", () => {
  test("every run of the app, newest first, in the §4.10 item shape", async () => {
    const body = await page({});
    expect(Object.keys(body)).toEqual(["page", "limit", "total", "has_more", "data"]);
    expect(body).toMatchObject({ page: 1, limit: 20, total: 5, has_more: false });
    expect(body.data.map((item) => item.workflow_run.id)).toEqual(newestFirst(0, 1, 2, 3, 4));
    for (const item of body.data) {
      expect(Object.keys(item)).toEqual(["id", "workflow_run", "details", "created_from", "created_by_role", "created_by_account", "created_by_end_user", "created_at"]);
      expect(Object.keys(item.workflow_run)).toEqual(["id", "version", "status", "triggered_from", "error", "elapsed_time", "total_tokens", "total_steps", "created_at", "finished_at", "exceptions_count"]);
      expect(item).toMatchObject({ details: null, created_from: "service-api", created_by_role: "end_user", created_by_account: null });
      expect(Object.keys(item.created_by_end_user)).toEqual(["id", "type", "is_anonymous", "session_id"]);
      expect(item.created_by_end_user).toMatchObject({ type: "service-api", is_anonymous: false });
      expect(item.workflow_run.triggered_from).toBe("app-run");
      expect(item.workflow_run.version).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
      expect(item.id).not.toBe(item.workflow_run.id);
    }
    const byRun = new Map(body.data.map((item) => [item.workflow_run.id, item]));
    expect(byRun.get(runs[0])!.workflow_run).toMatchObject({ status: "succeeded", error: null, exceptions_count: 0 });
    expect(byRun.get(runs[0])!.created_by_end_user.session_id).toBe("alice");
    expect(byRun.get(runs[1])!.workflow_run.status).toBe("failed");
    expect(byRun.get(runs[1])!.workflow_run.error).toContain("asked to fail");
    expect(byRun.get(runs[3])!.workflow_run).toMatchObject({ status: "stopped", error: "Stopped by user." });
  });

  test("paging: limit and page, has_more = total > page*limit", async () => {
    expect(await page({ limit: "2" })).toMatchObject({ page: 1, limit: 2, total: 5, has_more: true });
    const second = await page({ limit: "2", page: "2" });
    expect(second).toMatchObject({ page: 2, limit: 2, total: 5, has_more: true });
    expect(second.data.map((item) => item.workflow_run.id)).toEqual(newestFirst(1, 2));
    expect(await page({ limit: "2", page: "3" })).toMatchObject({ total: 5, has_more: false });
    expect(await page({ limit: "3", page: "2" })).toMatchObject({ total: 5, has_more: false });
    const beyond = await page({ limit: "2", page: "9" });
    expect(beyond).toMatchObject({ page: 9, total: 5, has_more: false, data: [] });
  });

  test.each([["limit", "0"], ["limit", "101"], ["limit", "ten"], ["page", "0"], ["page", "100000"]])("%s=%s → 400 invalid_param", async (name, value) => {
    const error = await errorOf(await server.request(`/v1/workflows/logs?${name}=${value}`, { key: logs.apiKey }), 400);
    expect(error.code).toBe("invalid_param");
    expect(error.message).toStartWith(`${name}: `);
  });

  test("limit=100 and page=99999 are allowed", async () => {
    expect(await page({ limit: "100", page: "99999" })).toMatchObject({ page: 99999, limit: 100, data: [] });
  });

  test("app B's key never sees app A's logs", async () => {
    const otherRun = await okJson<{ workflow_run_id: string }>(await runWorkflow(server, other.apiKey, { inputs: { q: "other app only" }, user: "alice" }));
    expect(await runIdsOf({}, other.apiKey)).toEqual([otherRun.workflow_run_id]);
    expect(await runIdsOf({ keyword: runs[0] }, other.apiKey)).toEqual([]);
    expect(await runIdsOf({ created_by_end_user_session_id: "alice" }, other.apiKey)).toEqual([otherRun.workflow_run_id]);
    expect(await runIdsOf({ keyword: "other app only" })).toEqual([]);
  });
});

describe("filters", () => {
  test("status", async () => {
    expect(await runIdsOf({ status: "failed" })).toEqual([runs[1]]);
    expect(await runIdsOf({ status: "stopped" })).toEqual([runs[3]]);
    expect(await runIdsOf({ status: "succeeded" })).toEqual(newestFirst(0, 2, 4));
    for (const status of ["running", "partial-succeeded", "SUCCEEDED"]) {
      expect((await errorOf(await server.request(`/v1/workflows/logs?status=${status}`, { key: logs.apiKey }), 400)).code).toBe("invalid_param");
    }
  });

  test("keyword: inputs, outputs, session id, the exact run id, case-insensitive, only its first 30 characters", async () => {
    expect(await runIdsOf({ keyword: "apple" })).toEqual([runs[0]]);
    expect(await runIdsOf({ keyword: "APPLE PIE" })).toEqual([runs[0]]);
    // "eip elppa" is only in the outputs.
    expect(await runIdsOf({ keyword: "eip elppa" })).toEqual([runs[0]]);
    expect(await runIdsOf({ keyword: "Grüße" })).toEqual([runs[2]]);
    expect(await runIdsOf({ keyword: "dave" })).toEqual([runs[4]]);
    expect(await runIdsOf({ keyword: runs[2] })).toEqual([runs[2]]);
    expect(await runIdsOf({ keyword: `${runs[2].slice(0, 30)} and then text that is not there` })).toEqual([runs[2]]);
    // LIKE wildcards in the keyword are literal characters.
    expect(await runIdsOf({ keyword: "%" })).toEqual([]);
    expect(await runIdsOf({ keyword: "a_p" })).toEqual([]);
    expect(await runIdsOf({ keyword: "nothing like this" })).toEqual([]);
  });

  test("created_by_end_user_session_id is an exact match, and filters combine", async () => {
    expect(await runIdsOf({ created_by_end_user_session_id: "alice" })).toEqual(newestFirst(0, 3));
    expect(await runIdsOf({ created_by_end_user_session_id: "ALICE" })).toEqual([]);
    expect(await runIdsOf({ created_by_end_user_session_id: "ali" })).toEqual([]);
    expect(await runIdsOf({ created_by_end_user_session_id: "alice", status: "succeeded" })).toEqual([runs[0]]);
    expect(await runIdsOf({ created_by_end_user_session_id: "alice", keyword: "w17" })).toEqual([runs[3]]);
  });

  test("created_by_account: no accounts in Kiln, so any email → 400 Account not found", async () => {
    expect(await errorOf(await server.request("/v1/workflows/logs?created_by_account=owner%40example.com", { key: logs.apiKey }), 400)).toEqual({
      code: "invalid_param", message: "Account not found: owner@example.com", status: 400,
    });
  });

  test("created_at__before and __after: ISO instants with or without an offset (naive = UTC), bounds inclusive", async () => {
    const iso = middle.toISOString();
    expect(await runIdsOf({ created_at__after: iso })).toEqual(newestFirst(2, 3, 4));
    expect(await runIdsOf({ created_at__before: iso })).toEqual(newestFirst(0, 1));
    expect(await runIdsOf({ created_at__after: iso.replace("Z", "+00:00") })).toEqual(newestFirst(2, 3, 4));
    const inTokyo = new Date(middle.getTime() + 9 * 3600_000).toISOString().replace("Z", "+09:00");
    expect(await runIdsOf({ created_at__after: inTokyo })).toEqual(newestFirst(2, 3, 4));
    expect(await runIdsOf({ created_at__after: iso, created_at__before: iso })).toEqual([]);
    expect(await runIdsOf({ created_at__after: "2000-01-01", created_at__before: "2999-12-31T23:59" })).toEqual(newestFirst(0, 1, 2, 3, 4));
    expect(await runIdsOf({ created_at__before: "2000-01-01 00:00:00" })).toEqual([]);
    expect(await runIdsOf({ created_at__after: "20000101T000000,5-01:30" })).toEqual(newestFirst(0, 1, 2, 3, 4));
  });

  test("a naive instant means UTC whatever the server's time zone", async () => {
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Tokyo";
    try {
      expect(await runIdsOf({ created_at__after: middle.toISOString().slice(0, -1) })).toEqual(newestFirst(2, 3, 4));
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  test.each(["yesterday", "1", "2024/01/02", "March 7 2024", "2024-13-01", "2024-02-30T10:00", "2024-01-01T25:00", "2024-01-01T10:00+5", "2024-01-01T10:00+24:00", "2024-01-01Z"])(
    "created_at__before=%s → 400 invalid_param", async (value) => {
      for (const field of ["created_at__before", "created_at__after"]) {
        const error = await errorOf(await server.request(`/v1/workflows/logs?${field}=${encodeURIComponent(value)}`, { key: logs.apiKey }), 400);
        expect(error).toEqual({ code: "invalid_param", message: `${field}: Invalid isoformat string: '${value}'`, status: 400 });
      }
    },
  );
});
