import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ChatEvent } from "../../src/models/types.ts";
import { fixture, finishedNodes, labels, realServices, record, closeSandbox, sandbox } from "./harness.ts";

// Starting the interpreters takes seconds; do it before the timed tests.
beforeAll(() => sandbox().warmUp(), 60_000);
afterAll(closeSandbox);

describe("branches (§1.6)", () => {
  test.each([
    [{ n: 9, s: "" }, "end_true", "true"],
    [{ n: 1, s: "xyz" }, "end_case2", "9f1c2d3e-0000-4000-8000-000000000002"],
    [{ n: 1, s: "abc" }, "end_else", "false"],
  ])("inputs %p take only the edge to %s", async (inputs, endId, handle) => {
    const { graph } = await fixture("branches");
    const { result, events } = await record(graph, { inputs });
    expect(result.status).toBe("succeeded");
    expect(finishedNodes(events)).toEqual(["start", "check", endId]);
    expect(result.outputs).toEqual({ branch: handle });
  });

  test("a missing condition variable fails the if-else and the run", async () => {
    const { graph } = await fixture("branches");
    const { result, events } = await record(graph, { inputs: { n: 1 } });
    expect(result.status).toBe("failed");
    expect(result.error).toBe("Variable ['start', 's'] not found");
    expect(labels(events).slice(-2)).toEqual(["finished:check:failed", "run_finished:failed"]);
  });
});

describe("joins", () => {
  test.each([
    ["apple", "A says apple"],
    ["banana", "B says banana"],
  ])("the aggregator after an if-else runs once, after the branch that ran (%s)", async (query, answer) => {
    const { graph } = await fixture("join");
    const { result, events, streamed } = await record(graph, { system: { query } });
    expect(finishedNodes(events).filter((id) => id === "agg")).toHaveLength(1);
    expect(result.outputs).toEqual({ answer, files: [] });
    expect(streamed).toBe(answer);
    // The aggregator hides the LLM's token stream: the answer arrives as one chunk.
    expect(events.filter((event) => event.type === "stream_chunk")).toEqual([
      { type: "stream_chunk", text: answer, selector: ["agg", "output"] },
    ]);
  });

  test("a fan-out runs its branches at the same time and the join waits for all of them", async () => {
    const { graph } = await fixture("parallel");
    const order: string[] = [];
    const real = realServices();
    const services = {
      ...real,
      chat: (model: Parameters<typeof real.chat>[0], request: Parameters<typeof real.chat>[1], onEvent?: (event: ChatEvent) => void) =>
        real.chat(model, request, (event) => {
          if (event.type === "text") order.push(event.text.trim());
          onEvent?.(event);
        }),
    };
    const { result, events, streamed } = await record(graph, { services });
    expect(result.status).toBe("succeeded");
    // Overlap: the right branch produced a token before the left one produced its last.
    expect(order.indexOf("b1")).toBeLessThan(order.indexOf("a5"));
    expect(order.indexOf("a1")).toBeLessThan(order.indexOf("b5"));
    const seq = labels(events);
    expect(seq.indexOf("started:end")).toBeGreaterThan(seq.indexOf("finished:left:succeeded"));
    expect(seq.indexOf("started:end")).toBeGreaterThan(seq.indexOf("finished:right:succeeded"));
    expect(result.outputs).toEqual({ x: "a1 a2 a3 a4 a5", y: "b1 b2 b3 b4 b5" });
    // The End's template orders the two streams and joins them with a newline.
    expect(streamed).toBe("a1 a2 a3 a4 a5\nb1 b2 b3 b4 b5");
  });
});

describe("response stream filter (§1.8)", () => {
  test('"Hi {{#llm.text#}}!" streams "Hi ", the tokens, then "!"', async () => {
    const { graph } = await fixture("answer-stream");
    const { result, events } = await record(graph, { system: { query: "nice to meet you" } });
    const chunks = events.flatMap((event) => (event.type === "stream_chunk" ? [[event.text, event.selector.join(".")]] : []));
    expect(chunks).toEqual([
      ["Hi ", "answer.answer"],
      ["nice ", "llm.text"],
      ["to ", "llm.text"],
      ["meet ", "llm.text"],
      ["you", "llm.text"],
      ["!", "answer.answer"],
    ]);
    expect(result.outputs.answer).toBe("Hi nice to meet you!");
  });

  test.each([
    ["say yes please", "say yes please (done)"],
    ["nope", "Declined: nope (done)"],
  ])("nothing streams before the if-else decides (%s)", async (query, answer) => {
    const { graph } = await fixture("answer-after-branch");
    const { result, events, streamed } = await record(graph, { system: { query } });
    const seq = labels(events);
    const firstChunk = seq.findIndex((label) => label.startsWith("chunk:"));
    // The LLM finished long before, but its buffered tokens only flush once the if-else chose.
    expect(seq.indexOf("finished:llm:succeeded")).toBeLessThan(seq.indexOf("started:check"));
    expect(firstChunk).toBeGreaterThan(seq.indexOf("started:check"));
    expect(streamed).toBe(answer);
    // Answers that run concatenate into the run's answer.
    expect(result.outputs.answer).toBe(answer);
  });
});

describe("error handling (§2.0)", () => {
  test("default-value and fail-branch continue the run as partial-succeeded", async () => {
    const { graph } = await fixture("error-strategies");
    const { result, events } = await record(graph);
    expect(result.status).toBe("partial-succeeded");
    expect(result.exceptionsCount).toBe(2);
    expect(finishedNodes(events)).toEqual(["start", "with_default", "with_branch", "end_failed"]);
    expect(result.outputs).toEqual({
      result: "fallback",
      count: 3,
      error: "Output result is missing.",
    });
    const handled = events.filter((event) => event.type === "node_finished" && event.status === "exception");
    expect(handled.map((event) => event.type === "node_finished" && event.executionMetadata)).toEqual([
      { error_strategy: "default-value" },
      { error_strategy: "fail-branch" },
    ]);
  });

  test("retries wait, emit node_retry, then the failure ends the run", async () => {
    const { graph } = await fixture("retry");
    const { result, events } = await record(graph);
    expect(labels(events)).toEqual([
      "run_started",
      "started:start",
      "finished:start:succeeded",
      "started:llm",
      "retry:llm:1",
      "retry:llm:2",
      "finished:llm:failed",
      "run_finished:failed",
    ]);
    expect(result.error).toBe("upstream down");
    expect(result.exceptionsCount).toBe(3);
    expect(result.totalSteps).toBe(4);
    const failed = events.find((event) => event.type === "node_finished" && event.nodeId === "llm");
    expect(failed?.type === "node_finished" && failed.errorType).toBe("completion_request_error");
  });

  test("an unknown node type fails that node with a clear error", async () => {
    const { graph } = await fixture("echo-workflow");
    const nodes = new Map(graph.nodes);
    nodes.set("llm", { ...nodes.get("llm")!, type: "knowledge-retrieval" });
    const { result } = await record({ ...graph, nodes }, { inputs: { q: "x" } });
    expect(result.status).toBe("failed");
    expect(result.error).toBe("Node type 'knowledge-retrieval' is not supported");
  });
});

describe("limits and stop", () => {
  test("a stop during a model call ends the run as stopped; no further node starts", async () => {
    const { graph } = await fixture("slow");
    const controller = new AbortController();
    const { result, events } = await record(graph, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "stream_chunk" && event.text.startsWith("two")) controller.abort();
      },
    });
    expect(result.status).toBe("stopped");
    expect(result.error).toBe("Stopped by user.");
    const seq = labels(events);
    expect(seq).not.toContain("started:end");
    expect(seq.slice(-2)).toEqual(["finished:llm:failed", "run_finished:stopped"]);
    // The model call was cut short, not run to the end.
    expect(seq.filter((label) => label.startsWith("chunk:")).length).toBeLessThan(12);
  });

  test("the step limit stops the run with Dify's message", async () => {
    const { graph } = await fixture("chain");
    const { result, events } = await record(graph, { system: { user_id: "u1" }, limits: { maxSteps: 3 } });
    expect(result.status).toBe("stopped");
    expect(result.error).toBe("Maximum execution steps exceeded: 4 > 3");
    expect(result.totalSteps).toBe(3);
    expect(events.filter((event) => event.type === "node_started")).toHaveLength(3);
  });

  test("the time limit stops the run", async () => {
    const { graph } = await fixture("slow");
    const { result } = await record(graph, { limits: { maxExecutionMs: 30 } });
    expect(result.status).toBe("stopped");
    expect(result.error).toStartWith("Maximum execution time exceeded:");
  });

  test("the chain runs to the end without limits", async () => {
    const { graph } = await fixture("chain");
    const { result } = await record(graph, { system: { user_id: "u1" } });
    expect(result).toMatchObject({ status: "succeeded", outputs: { user: "u1" }, totalSteps: 6 });
  });
});
