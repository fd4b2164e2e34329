import { afterAll, describe, expect, test } from "bun:test";
import { fixture, labels, record, closeSandbox } from "./harness.ts";

afterAll(closeSandbox);

describe("a small workflow run", () => {
  test("emits the exact event sequence and the End outputs", async () => {
    const { graph } = await fixture("echo-workflow");
    const { result, events } = await record(graph, { inputs: { q: "hello big world" } });
    expect(labels(events)).toEqual([
      "run_started",
      "started:start",
      "finished:start:succeeded",
      "started:llm",
      // The End session has no blocking edge, so tokens stream live, before the LLM finishes.
      "chunk:hello ",
      "chunk:big ",
      "chunk:world",
      "finished:llm:succeeded",
      "started:end",
      "finished:end:succeeded",
      "run_finished:succeeded",
    ]);
    expect(result.status).toBe("succeeded");
    expect(result.outputs).toEqual({ result: "hello big world" });
    expect(result.totalSteps).toBe(3);
    expect(result.totalTokens).toBeGreaterThan(0);
    expect(result.exceptionsCount).toBe(0);
  });

  test("node events carry what the run log and SSE need", async () => {
    const { graph } = await fixture("echo-workflow");
    const { events, result } = await record(graph, { inputs: { q: "hi there" } });
    const started = events.filter((event) => event.type === "node_started");
    expect(started.map((event) => event.type === "node_started" && [event.index, event.nodeType, event.title])).toEqual([
      [1, "start", "Start"],
      [2, "llm", "Echo"],
      [3, "end", "End"],
    ]);
    const llmFinished = events.find((event) => event.type === "node_finished" && event.nodeId === "llm");
    if (llmFinished?.type !== "node_finished") throw new Error("no llm node_finished");
    const llmStarted = started[1]!;
    expect(llmFinished.id).toBe(llmStarted.type === "node_started" ? llmStarted.id : "");
    expect(llmFinished.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(llmFinished).toMatchObject({
      status: "succeeded",
      error: null,
      outputs: { text: "hi there", finish_reason: "stop" },
      processData: { model_provider: "builtin", model_name: "echo", prompts: [{ role: "system" }, { role: "user", text: "hi there" }] },
      executionMetadata: { total_tokens: result.totalTokens, currency: "USD" },
    });
    expect(llmFinished.elapsedTime).toBeGreaterThanOrEqual(0);
    const finished = events.at(-1);
    expect(finished).toMatchObject({ type: "run_finished", status: "succeeded", outputs: { result: "hi there" }, totalSteps: 3 });
    const startFinished = events.find((event) => event.type === "node_finished" && event.nodeId === "start");
    expect(startFinished).toMatchObject({ inputs: { q: "hi there" }, outputs: { q: "hi there", "sys.files": [] } });
  });
});
