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
});
