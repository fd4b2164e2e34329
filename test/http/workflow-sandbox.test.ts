// Code nodes through the API: a CPU-bound node must not stall the server (the sandbox runs off the
// main thread), and code that reaches for the host (files, environment, Pyodide's FFI) fails its
// node without leaking anything into the response.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startTestServer, type TestServer } from "../harness";
import { dataEvents, sseFrames } from "../sse";
import { chatTurn, okJson } from "./chat-turns";
import { runWorkflow } from "./workflow-requests";

// CPython loads into each sandbox worker on first use (a few seconds).
setDefaultTimeout(30_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

interface BlockingBody {
  data: { status: string; outputs: Record<string, unknown> | null; error: string | null };
}

describe("a CPU-bound code node", () => {
  test("while python spins for 2 s, /health and a blocking chat on another app answer first", async () => {
    const spin = server.importApp("wf-spin.yml");
    const chat = server.importApp("chat.yml");
    // Warm the interpreter so the spin, not CPython's start, is what runs during the requests.
    expect((await okJson<BlockingBody>(await runWorkflow(server, spin.apiKey, { inputs: { seconds: 0 } }))).data.status).toBe("succeeded");

    const completed: string[] = [];
    const frames = sseFrames(await runWorkflow(server, spin.apiKey, { inputs: { seconds: 2 }, response_mode: "streaming" }));
    // Read by hand: leaving a for-await would close the generator, and the rest is needed.
    for (let next = await frames.next(); !next.done; next = await frames.next()) {
      if (next.value.data?.event === "node_started" && next.value.data.data.node_id === "code") break;
    }
    const spinning = (async () => {
      let last: Record<string, any> | undefined;
      for (let next = await frames.next(); !next.done; next = await frames.next()) last = next.value.data ?? last;
      completed.push("spin");
      return last;
    })();
    const health = (async () => {
      const response = await server.request("/health");
      expect(response.status).toBe(200);
      completed.push("health");
    })();
    const chatting = (async () => {
      expect((await chatTurn(server, chat.apiKey, "bystander", "still here?")).answer).toBe("still here?");
      completed.push("chat");
    })();
    const [finished] = await Promise.all([spinning, health, chatting]);
    expect(finished).toMatchObject({ event: "workflow_finished", data: { status: "succeeded" } });
    expect(finished!.data.outputs.spins).toBeGreaterThan(0);
    expect(completed.indexOf("health")).toBeLessThan(completed.indexOf("spin"));
    expect(completed.indexOf("chat")).toBeLessThan(completed.indexOf("spin"));
  });
});

describe("a code node stopped mid-run", () => {
  test("a stop interrupts a python node spinning for a minute; the run ends stopped and the sandbox serves the next run", async () => {
    const spin = server.importApp("wf-spin.yml");
    const response = await runWorkflow(server, spin.apiKey, { inputs: { seconds: 60 }, response_mode: "streaming" });
    const events: Record<string, any>[] = [];
    for await (const frame of sseFrames(response)) {
      if (!frame.data) continue;
      events.push(frame.data);
      if (frame.data.event === "node_started" && frame.data.data.node_id === "code") {
        await server.request(`/v1/workflows/tasks/${frame.data.task_id}/stop`, { method: "POST", key: spin.apiKey, json: { user: "ops" } });
      }
    }
    // Were the stop not to reach into the worker, this would wait out the minute (past the test's timeout).
    expect(events.at(-1)).toMatchObject({ event: "workflow_finished", data: { status: "stopped", error: "Stopped by user.", outputs: {} } });
    expect(events.some((event) => event.event === "node_finished" && event.data.node_id === "end")).toBe(false);
    const next = await okJson<BlockingBody>(await runWorkflow(server, spin.apiKey, { inputs: { seconds: 0 } }));
    expect(next.data.status).toBe("succeeded");
  });
});

describe("sandbox escapes through the API", () => {
  const hostPath = process.env.PATH ?? "";

  test.each([
    ["wf-python-escape.yml", "python reading /etc/passwd", /FileNotFoundError/],
    ["wf-python-ffi-escape.yml", "python importing js for process.env", /ImportError: module 'js' is not available/],
    ["wf-javascript-escape.yml", "javascript reading process.env", /ReferenceError: 'process' is not defined/],
  ])("%s (%s) fails the node and leaks nothing", async (fixtureName, _what, failure) => {
    const app = server.importApp(fixtureName);
    const response = await runWorkflow(server, app.apiKey, { inputs: {} });
    const text = await response.text();
    expect(response.status).toBe(200);
    const body = JSON.parse(text) as BlockingBody;
    expect(body.data.status).toBe("failed");
    expect(body.data.error).toMatch(failure);
    expect(body.data.outputs).toEqual({});
    expect(text).not.toContain("root:");
    expect(hostPath.length).toBeGreaterThan(0);
    expect(text).not.toContain(JSON.stringify(hostPath).slice(1, -1));

    const events = await dataEvents(await runWorkflow(server, app.apiKey, { inputs: {}, response_mode: "streaming" }));
    const codeFinished = events.find((event) => event.event === "node_finished" && event.data.node_id === "code")!;
    expect(codeFinished.data).toMatchObject({ status: "failed", outputs: null });
    expect(codeFinished.data.error).toMatch(failure);
    expect(JSON.stringify(events)).not.toContain("root:");
  });
});
