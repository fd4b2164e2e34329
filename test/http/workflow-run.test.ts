// POST /v1/workflows/run and /v1/workflows/{workflow_id}/run over HTTP (service-api.md §4.6–§4.7,
// §5.1, §6.4, §7.1–§7.2, §7.4–§7.6, Appendix A.5), on the built-in model and the real sandbox.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq } from "drizzle-orm";
import { workflows } from "../../src/store/schema";
import { startTestServer, type TestApp, type TestServer } from "../harness";
import { allFrames, dataEvents, sseFrames } from "../sse";
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

const ENVELOPE = ["event", "workflow_run_id", "task_id", "data"];
const NODE_STARTED_DATA = ["id", "node_id", "node_type", "title", "index", "predecessor_node_id", "inputs", "inputs_truncated", "created_at", "extras", "iteration_id", "loop_id", "agent_strategy"];
const NODE_FINISHED_DATA = [
  "id", "node_id", "node_type", "title", "index", "predecessor_node_id", "inputs", "inputs_truncated", "process_data", "process_data_truncated",
  "outputs", "outputs_truncated", "status", "error", "elapsed_time", "execution_metadata", "created_at", "finished_at", "files", "iteration_id", "loop_id",
];
const WORKFLOW_FINISHED_DATA = ["id", "workflow_id", "status", "outputs", "error", "elapsed_time", "total_tokens", "total_steps", "created_by", "created_at", "finished_at", "exceptions_count", "files"];

interface BlockingBody {
  task_id: string;
  workflow_run_id: string;
  data: { id: string; workflow_id: string; status: string; outputs: Record<string, unknown> | null; error: string | null; total_steps: number; total_tokens: number; created_at: number; finished_at: number | null };
}

const blocking = async (key: string, inputs: unknown, workflowId?: string) => okJson<BlockingBody>(await runWorkflow(server, key, { inputs }, { workflowId }));

describe("blocking", () => {
  test("answers the §6.4 shape, keys in order, with the End node's outputs", async () => {
    const response = await runWorkflow(server, echo.apiKey, { inputs: { q: "hello big world" }, response_mode: "blocking" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = (await response.json()) as BlockingBody;
    expect(Object.keys(body)).toEqual(["task_id", "workflow_run_id", "data"]);
    expect(Object.keys(body.data)).toEqual(["id", "workflow_id", "status", "outputs", "error", "elapsed_time", "total_tokens", "total_steps", "created_at", "finished_at"]);
    expect(body.data).toMatchObject({ id: body.workflow_run_id, status: "succeeded", outputs: { answer: "hello big world" }, error: null, total_steps: 3 });
    expect(body.data.total_tokens).toBeGreaterThan(0);
    expect(body.data.finished_at).toBeGreaterThanOrEqual(body.data.created_at);
    expect(body.task_id).not.toBe(body.workflow_run_id);
  });

  test("missing response_mode and missing inputs: blocking, inputs taken as {} (then validated)", async () => {
    const response = await server.request("/v1/workflows/run", { method: "POST", key: echo.apiKey, json: { user: "u" } });
    const error = await errorOf(response, 400);
    expect(error).toEqual({ code: "invalid_param", message: "q is required in input form", status: 400 });
    const optionalOnly = server.importApp("wf-default-value.yml");
    const body = await okJson<BlockingBody>(await server.request("/v1/workflows/run", { method: "POST", key: optionalOnly.apiKey, json: { user: "u" } }));
    expect(body.data.status).toBe("partial-succeeded");
  });

  test("a python code node that raises: HTTP 200, status failed, the exception as error", async () => {
    const app = server.importApp("wf-code-raises.yml");
    const body = await blocking(app.apiKey, {});
    expect(body.data.status).toBe("failed");
    expect(body.data.error).toContain("ValueError: kiln test failure");
    expect(body.data.outputs).toEqual({});
  });

  test("a failing model: HTTP 200, status failed, the model's message as error", async () => {
    const app = server.importApp("wf-model-error.yml");
    const body = await blocking(app.apiKey, {});
    expect(body.data).toMatchObject({ status: "failed", error: "upstream down" });
  });

  test("a default-value error strategy: partial-succeeded with the default as output", async () => {
    const app = server.importApp("wf-default-value.yml");
    const body = await blocking(app.apiKey, {});
    expect(body.data).toMatchObject({ status: "partial-succeeded", outputs: { result: "fallback" }, error: null });
  });
});

describe("streaming", () => {
  test("the exact event sequence of a small run: leading ping, started, node pairs, text chunks, finished", async () => {
    const response = await runWorkflow(server, echo.apiKey, { inputs: { q: "hello big world", count: "3" }, response_mode: "streaming", user: "streamer" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const frames = await allFrames(response);
    expect(frames[0].raw).toBe("event: ping");
    for (const frame of frames.slice(1)) expect(frame.raw).toMatch(/^data: \{.*\}$/);
    const events = frames.flatMap((frame) => (frame.data ? [frame.data] : []));
    expect(events.map((event) => (event.event.startsWith("node_") ? `${event.event}:${event.data.node_id}` : event.event))).toEqual([
      "workflow_started",
      "node_started:start", "node_finished:start",
      "node_started:llm", "text_chunk", "text_chunk", "text_chunk", "node_finished:llm",
      "node_started:end", "node_finished:end",
      "workflow_finished",
    ]);
    for (const event of events) expect(Object.keys(event)).toEqual(ENVELOPE);

    const [started] = events;
    const runId = started.workflow_run_id;
    const taskId = started.task_id;
    for (const event of events) expect([event.workflow_run_id, event.task_id]).toEqual([runId, taskId]);
    expect(Object.keys(started.data)).toEqual(["id", "workflow_id", "inputs", "created_at"]);
    expect(started.data.id).toBe(runId);
    expect(started.data.inputs).toMatchObject({
      q: "hello big world", tone: null, count: 3, "sys.files": [], "sys.user_id": "streamer",
      "sys.app_id": echo.appId, "sys.workflow_id": started.data.workflow_id, "sys.workflow_run_id": runId,
    });
    expect(Object.keys(started.data.inputs)).not.toContain("sys.conversation_id");

    const nodeStarts = events.filter((event) => event.event === "node_started");
    const nodeFinishes = events.filter((event) => event.event === "node_finished");
    for (const event of nodeStarts) expect(Object.keys(event.data)).toEqual(NODE_STARTED_DATA);
    for (const event of nodeFinishes) expect(Object.keys(event.data)).toEqual(NODE_FINISHED_DATA);
    expect(nodeStarts.map((event) => [event.data.index, event.data.node_type, event.data.title])).toEqual([[1, "start", "Start"], [2, "llm", "Echo"], [3, "end", "End"]]);
    nodeStarts.forEach((event, position) => expect(nodeFinishes[position].data.id).toBe(event.data.id));
    for (const event of nodeFinishes) expect(event.data).toMatchObject({ status: "succeeded", error: null, inputs_truncated: false, outputs_truncated: false, predecessor_node_id: null });

    const chunks = events.filter((event) => event.event === "text_chunk");
    for (const chunk of chunks) expect(Object.keys(chunk.data)).toEqual(["text", "from_variable_selector"]);
    expect(chunks.map((chunk) => chunk.data.from_variable_selector)).toEqual([["llm", "text"], ["llm", "text"], ["llm", "text"]]);

    const finished = events.at(-1)!;
    expect(Object.keys(finished.data)).toEqual(WORKFLOW_FINISHED_DATA);
    expect(finished.data).toMatchObject({ id: runId, workflow_id: started.data.workflow_id, status: "succeeded", error: null, total_steps: 3, exceptions_count: 0, files: [] });
    expect(finished.data.created_by).toEqual({ id: expect.any(String), user: "streamer" });
    expect(chunks.map((chunk) => chunk.data.text).join("")).toBe(finished.data.outputs.answer);
    expect(finished.data.outputs).toEqual({ answer: "hello big world" });
  });

  test("a retried node sends node_retry with retry_index between its start and its finish", async () => {
    const app = server.importApp("wf-model-error.yml");
    const events = await dataEvents(await runWorkflow(server, app.apiKey, { inputs: {}, response_mode: "streaming" }));
    const llmEvents = events.filter((event) => event.data?.node_id === "llm");
    expect(llmEvents.map((event) => event.event)).toEqual(["node_started", "node_retry", "node_retry", "node_finished"]);
    const retries = llmEvents.filter((event) => event.event === "node_retry");
    for (const retry of retries) {
      expect(Object.keys(retry)).toEqual(ENVELOPE);
      expect(Object.keys(retry.data)).toEqual([...NODE_FINISHED_DATA, "retry_index"]);
      expect(retry.data).toMatchObject({ status: "retry", error: "upstream down", id: llmEvents[0].data.id });
    }
    expect(retries.map((retry) => retry.data.retry_index)).toEqual([1, 2]);
    expect(llmEvents[3].data).toMatchObject({ status: "failed", error: "upstream down" });
    // §7.5: a failed run ends with workflow_finished, never an error event.
    expect(events.map((event) => event.event)).not.toContain("error");
    expect(events.at(-1)).toMatchObject({ event: "workflow_finished", data: { status: "failed", error: "upstream down" } });
  });

  test("a failed code node streams node_finished failed, then workflow_finished failed", async () => {
    const app = server.importApp("wf-code-raises.yml");
    const events = await dataEvents(await runWorkflow(server, app.apiKey, { inputs: {}, response_mode: "streaming" }));
    expect(events.map((event) => event.event)).toEqual(["workflow_started", "node_started", "node_finished", "node_started", "node_finished", "workflow_finished"]);
    expect(events[4].data).toMatchObject({ node_id: "code", status: "failed" });
    expect(events[4].data.error).toContain("kiln test failure");
    expect(events[5].data.status).toBe("failed");
  });
});

describe("POST /workflows/{workflow_id}/run", () => {
  test("the current version by id runs like /workflows/run", async () => {
    const current = await blocking(echo.apiKey, { q: "which version" });
    const byId = await blocking(echo.apiKey, { q: "which version" }, current.data.workflow_id);
    expect(byId.data).toMatchObject({ workflow_id: current.data.workflow_id, status: "succeeded", outputs: { answer: "which version" } });
  });

  test("an older published version by id runs its own graph; the current one stays current", async () => {
    const current = await blocking(echo.apiKey, { q: "v" });
    const row = server.services.db.select().from(workflows).where(eq(workflows.id, current.data.workflow_id)).get()!;
    const olderId = crypto.randomUUID();
    const graph = JSON.parse(JSON.stringify(row.graph).replace('"variable":"answer"', '"variable":"older_answer"'));
    server.services.db.insert(workflows).values({ ...row, id: olderId, version: "2024-01-01 00:00:00.000000", graph, createdAt: row.createdAt - 1 }).run();
    expect((await blocking(echo.apiKey, { q: "v" }, olderId)).data).toMatchObject({ workflow_id: olderId, outputs: { older_answer: "v" } });
    expect((await blocking(echo.apiKey, { q: "v" })).data).toMatchObject({ workflow_id: current.data.workflow_id, outputs: { answer: "v" } });
  });

  test("a malformed id → 400 bad_request; unknown → 404; another app's → 404; a draft → 400", async () => {
    const run = (workflowId: string) => runWorkflow(server, echo.apiKey, { inputs: { q: "x" } }, { workflowId });
    expect(await errorOf(await run("not-a-uuid"), 400)).toEqual({ code: "bad_request", message: "Invalid workflow_id format: 'not-a-uuid'. ", status: 400 });
    const unknown = crypto.randomUUID();
    expect(await errorOf(await run(unknown), 404)).toEqual({ code: "not_found", message: `Workflow not found with id: ${unknown}`, status: 404 });
    const other = server.importApp("wf-echo.yml");
    const otherWorkflowId = (await blocking(other.apiKey, { q: "x" })).data.workflow_id;
    expect(await errorOf(await run(otherWorkflowId), 404)).toEqual({ code: "not_found", message: `Workflow not found with id: ${otherWorkflowId}`, status: 404 });
    const row = server.services.db.select().from(workflows).where(eq(workflows.id, otherWorkflowId)).get()!;
    const draftId = crypto.randomUUID();
    server.services.db.insert(workflows).values({ ...row, id: draftId, version: "draft" }).run();
    const draft = await errorOf(await runWorkflow(server, other.apiKey, { inputs: { q: "x" } }, { workflowId: draftId }), 400);
    expect(draft.code).toBe("bad_request");
    expect(draft.message).toStartWith(`Cannot use draft workflow version. Workflow ID: ${draftId}.`);
  });
});

describe("request errors", () => {
  test.each([
    [{}, "q is required in input form"],
    [{ q: null }, "q is required in input form"],
    [{ q: "x".repeat(41) }, "q in input form must be less than 40 characters"],
    [{ q: 5 }, "(type 'text-input') q in input form must be a string"],
    [{ q: "x", tone: "whisper" }, "tone in input form must be one of the following: ['plain', 'loud']"],
    [{ q: "x", count: "many" }, "count in input form must be a valid number"],
    [{ q: "x", tone: { a: 1 } }, 'Invalid input type for ["tone"]'],
  ])("inputs %j → 400 %s", async (inputs, message) => {
    expect(await errorOf(await runWorkflow(server, echo.apiKey, { inputs }), 400)).toEqual({ code: "invalid_param", message, status: 400 });
  });

  test("an empty string is present for a required text field: the run starts (and the LLM node, like Dify's, finds no prompt)", async () => {
    expect((await blocking(echo.apiKey, { q: "" })).data).toMatchObject({ status: "failed", error: "No prompt found in the LLM configuration" });
  });

  test("user is required on run and stop", async () => {
    for (const user of [undefined, ""]) {
      expect(await errorOf(await runWorkflow(server, echo.apiKey, { inputs: { q: "x" }, user }), 400)).toEqual({ code: "invalid_param", message: "Arg user must be provided.", status: 400 });
      const stop = await server.request("/v1/workflows/tasks/any/stop", { method: "POST", key: echo.apiKey, json: { user } });
      expect((await errorOf(stop, 400)).message).toBe("Arg user must be provided.");
    }
  });

  test("body fields of the wrong type name the field", async () => {
    expect((await errorOf(await runWorkflow(server, echo.apiKey, { inputs: "x" }), 400)).message).toMatch(/^inputs: /);
    expect((await errorOf(await runWorkflow(server, echo.apiKey, { inputs: { q: "x" }, response_mode: "fast" as "blocking" }), 400)).message).toMatch(/^response_mode: /);
  });

  test("JSON errors: wrong content type → 415, empty or malformed → 400 bad_request, non-object → 400", async () => {
    const post = (path: string, body: string, type = "application/json") => server.request(path, { method: "POST", key: echo.apiKey, headers: { "Content-Type": type }, body });
    for (const path of ["/v1/workflows/run", `/v1/workflows/${crypto.randomUUID()}/run`, "/v1/workflows/tasks/t/stop"]) {
      expect(await errorOf(await post(path, '{"user":"u"}', "text/plain"), 415)).toEqual({
        code: "unsupported_media_type", message: "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.", status: 415,
      });
      expect(await errorOf(await post(path, ""), 400)).toEqual({ code: "bad_request", message: "Invalid JSON payload received or JSON payload is empty.", status: 400 });
      expect((await errorOf(await post(path, "{oops"), 400)).message).toStartWith("Failed to decode JSON object: ");
      expect((await errorOf(await post(path, "[1]"), 400)).code).toBe("invalid_param");
    }
  });

  test("a chat app on every workflow route → 400 not_workflow_app; logs list nothing (Dify does not check the mode there)", async () => {
    const chat = server.importApp("chat.yml");
    const expected = { code: "not_workflow_app", message: "Please check if your app mode matches the right API route.", status: 400 };
    expect(await errorOf(await runWorkflow(server, chat.apiKey, { inputs: {} }), 400)).toEqual(expected);
    expect(await errorOf(await runWorkflow(server, chat.apiKey, { inputs: {} }, { workflowId: crypto.randomUUID() }), 400)).toEqual(expected);
    expect(await errorOf(await server.request(`/v1/workflows/run/${crypto.randomUUID()}`, { key: chat.apiKey }), 400)).toEqual(expected);
    expect(await errorOf(await server.request("/v1/workflows/tasks/t/stop", { method: "POST", key: chat.apiKey, json: { user: "u" } }), 400)).toEqual(expected);
    expect(await okJson(await server.request("/v1/workflows/logs", { key: chat.apiKey }))).toEqual({ page: 1, limit: 20, total: 0, has_more: false, data: [] });
  });
});

describe("limits", () => {
  test("WORKFLOW_MAX_EXECUTION_STEPS ends the run stopped with the step-limit message", async () => {
    const limited = await startTestServer({ WORKFLOW_MAX_EXECUTION_STEPS: "2" });
    try {
      const app = limited.importApp("wf-echo.yml");
      const body = await okJson<BlockingBody>(await runWorkflow(limited, app.apiKey, { inputs: { q: "too many steps" } }));
      expect(body.data).toMatchObject({ status: "stopped", error: "Maximum execution steps exceeded: 3 > 2", total_steps: 2 });
    } finally {
      await limited.stop();
    }
  });

  test("APP_MAX_ACTIVE_REQUESTS: a run while the app's slot is taken → 429; other apps run; the slot frees when the run ends", async () => {
    const limited = await startTestServer({ APP_MAX_ACTIVE_REQUESTS: "1" });
    try {
      const slow = limited.importApp("wf-slow.yml");
      const other = limited.importApp("wf-echo.yml");
      const frames = sseFrames(await runWorkflow(limited, slow.apiKey, { inputs: { q: "a b c d e f g h" }, response_mode: "streaming" }));
      for (let next = await frames.next(); !next.done; next = await frames.next()) {
        if (next.value.data?.event !== "text_chunk") continue;
        expect(await errorOf(await runWorkflow(limited, slow.apiKey, { inputs: { q: "x" } }), 429)).toEqual({
          code: "too_many_requests", status: 429,
          message: `Too many requests. Please try again later. The current maximum concurrent requests allowed for ${slow.appId} is 1.`,
        });
        expect((await okJson<BlockingBody>(await runWorkflow(limited, other.apiKey, { inputs: { q: "x" } }))).data.status).toBe("succeeded");
        break;
      }
      for (let next = await frames.next(); !next.done; next = await frames.next());
      expect((await okJson<BlockingBody>(await runWorkflow(limited, slow.apiKey, { inputs: { q: "x" } }))).data.status).toBe("succeeded");
    } finally {
      await limited.stop();
    }
  });
});
