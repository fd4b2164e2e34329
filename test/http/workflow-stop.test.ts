// Stopping a workflow run (service-api.md §4.9, §11.4: no ownership check, always success), a
// client leaving mid-stream (the run goes on and is saved), and keep-alive pings, over HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { findWorkflowRun } from "../../src/store/workflow-runs";
import { startTestServer, type TestApp, type TestServer } from "../harness";
import { allFrames, sseFrames } from "../sse";
import { okJson } from "./chat-turns";
import { runWorkflow, waitFor } from "./workflow-requests";

const WORDS = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16";

let server: TestServer;
let slow: TestApp;
beforeAll(async () => {
  server = await startTestServer({ KILN_PING_INTERVAL_MS: "30" });
  slow = server.importApp("wf-slow.yml");
});
afterAll(() => server.stop());

const stop = (key: string, taskId: string, user: string) => server.request(`/v1/workflows/tasks/${taskId}/stop`, { method: "POST", key, json: { user } });

describe("stop", () => {
  test("another user's stop ends the run: workflow_finished stopped, Stopped by user., saved as stopped", async () => {
    const response = await runWorkflow(server, slow.apiKey, { inputs: { q: WORDS }, user: "runner", response_mode: "streaming" });
    const events: Record<string, any>[] = [];
    for await (const frame of sseFrames(response)) {
      if (!frame.data) continue;
      events.push(frame.data);
      if (frame.data.event === "text_chunk" && events.filter((event) => event.event === "text_chunk").length === 1) {
        const answer = await stop(slow.apiKey, frame.data.task_id, "someone-else");
        expect(answer.status).toBe(200);
        expect(await answer.json()).toEqual({ result: "success" });
      }
    }
    const finished = events.at(-1)!;
    expect(finished).toMatchObject({ event: "workflow_finished", data: { status: "stopped", error: "Stopped by user." } });
    const text = events.filter((event) => event.event === "text_chunk").map((event) => event.data.text).join("");
    expect(text.length).toBeLessThan(WORDS.length);
    expect(findWorkflowRun(server.services.db, slow.appId, finished.workflow_run_id)).toMatchObject({ status: "stopped", error: "Stopped by user." });
    const detail = await okJson<{ status: string; finished_at: number | null }>(await server.request(`/v1/workflows/run/${finished.workflow_run_id}`, { key: slow.apiKey }));
    expect(detail.status).toBe("stopped");
    expect(detail.finished_at).not.toBeNull();
  });

  test("stopping unknown or finished tasks answers success", async () => {
    const finished = await okJson<{ task_id: string }>(await runWorkflow(server, slow.apiKey, { inputs: { q: "quick" } }));
    for (const taskId of ["nope", crypto.randomUUID(), finished.task_id]) {
      const answer = await stop(slow.apiKey, taskId, "u");
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ result: "success" });
    }
  });
});

describe("a client that leaves", () => {
  test("the run still finishes and is saved succeeded with its full outputs", async () => {
    const controller = new AbortController();
    const response = await runWorkflow(server, slow.apiKey, { inputs: { q: WORDS }, user: "leaver", response_mode: "streaming" }, { signal: controller.signal });
    let runId = "";
    for await (const frame of sseFrames(response)) {
      if (frame.data?.event === "text_chunk") {
        runId = frame.data.workflow_run_id;
        break;
      }
    }
    controller.abort();
    expect(findWorkflowRun(server.services.db, slow.appId, runId)!.status).toBe("running");
    const run = await waitFor(() => findWorkflowRun(server.services.db, slow.appId, runId), (row) => row.status !== "running");
    expect(run).toMatchObject({ status: "succeeded", outputs: { text: WORDS }, error: null, totalSteps: 3 });
  });
});

describe("keep-alive", () => {
  test("a slow run's stream carries bare ping frames between its events", async () => {
    const frames = await allFrames(await runWorkflow(server, slow.apiKey, { inputs: { q: "one two three four five" }, response_mode: "streaming" }));
    expect(frames[0].raw).toBe("event: ping");
    expect(frames.slice(1).some((frame) => frame.raw === "event: ping")).toBe(true);
    expect(frames.at(-1)?.data?.event).toBe("workflow_finished");
  });
});
