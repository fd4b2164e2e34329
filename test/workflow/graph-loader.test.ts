import { describe, expect, test } from "bun:test";
import { KilnError } from "../../src/errors.ts";
import { loadGraph } from "../../src/workflow/graph-loader.ts";

const start = { id: "s", type: "custom", data: { type: "start", title: "Start", variables: [] } };
const end = { id: "e", type: "custom", data: { type: "end", title: "End", outputs: [] } };
const answer = { id: "a", type: "custom", data: { type: "answer", title: "Answer", answer: "" } };

function loadError(raw: unknown, mode: "workflow" | "advanced-chat" = "workflow"): KilnError {
  try {
    loadGraph(raw, mode);
  } catch (error) {
    if (error instanceof KilnError) return error;
    throw error;
  }
  throw new Error("the graph loaded");
}

describe("loadGraph", () => {
  test("drops notes, reads the type from data.type and defaults edge handles", () => {
    const graph = loadGraph(
      {
        nodes: [{ id: "n", type: "custom-note", data: { type: "" } }, start, { id: "x", type: "custom", data: { type: "mystery" } }, end],
        edges: [
          { source: "s", target: "x" },
          { source: "x", sourceHandle: "success-branch", target: "e" },
        ],
      },
      "workflow",
    );
    expect([...graph.nodes.keys()]).toEqual(["s", "x", "e"]);
    expect(graph.nodes.get("x")?.type).toBe("mystery");
    expect(graph.edges.map((edge) => edge.sourceHandle)).toEqual(["source", "source"]);
    expect(graph.rootId).toBe("s");
  });

  test("the root is the first start-like node in the list", () => {
    const trigger = { id: "t", data: { type: "trigger-webhook" } };
    expect(loadGraph({ nodes: [trigger, start, end], edges: [] }, "workflow").rootId).toBe("t");
  });

  test("broken graphs are rejected with the culprit named", () => {
    expect(loadError({ nodes: [end], edges: [] }).message).toContain("no start node");
    const unknownEdge = loadError({ nodes: [start, end], edges: [{ id: "e1", source: "s", target: "ghost" }] });
    expect(unknownEdge.code).toBe("invalid_param");
    expect(unknownEdge.status).toBe(400);
    expect(unknownEdge.message).toContain("edge e1 references unknown node ghost");
    expect(loadError({ nodes: [start, answer], edges: [] }).message).toContain("needs an End node");
    expect(loadError({ nodes: [start, end], edges: [] }, "advanced-chat").message).toContain("needs an Answer node");
    expect(loadError({ nodes: [start, { id: "z", data: {} }, end], edges: [] }).message).toContain("node z has no data.type");
    expect(loadError({ nodes: [start, start, end], edges: [] }).message).toContain("duplicate node id s");
    expect(loadError("nonsense").message).toContain("nodes must be a list");
  });

  test("legacy shapes are normalised (§5.1, §6.3)", () => {
    const graph = loadGraph(
      {
        nodes: [
          start,
          {
            id: "if",
            data: {
              type: "if-else",
              logical_operator: "or",
              conditions: [{ variable_selector: ["s", "q"], comparison_operator: "is empty" }],
            },
          },
          { id: "code", data: { type: "code", retry_config: { retry_enabled: true, max_retries: "2", retry_interval: "1000" } } },
          { id: "assign", data: { type: "assigner", version: "v2", items: [] } },
          { id: "agg", data: { type: "variable-assigner", variables: [] } },
          { id: "iter", data: { type: "iteration", start_node_id: "inner" } },
          { id: "inner", parentId: "iter", data: { type: "code", isInIteration: true, iteration_id: "iter" } },
          end,
        ],
        edges: [
          { source: "s", target: "iter" },
          { source: "inner", target: "iter" },
        ],
      },
      "workflow",
    );
    expect(graph.nodes.get("if")?.data.cases).toEqual([
      { case_id: "true", logical_operator: "or", conditions: [{ variable_selector: ["s", "q"], comparison_operator: "empty" }] },
    ]);
    expect(graph.nodes.get("code")?.data.retry_config).toEqual({ retry_enabled: true, max_retries: 2, retry_interval: 1000 });
    expect(graph.nodes.get("assign")?.data.version).toBe("2");
    expect(graph.nodes.get("agg")?.type).toBe("variable-aggregator");
    // 0.1.x iteration without iteration-start: the inner node belongs to the container, not the top level.
    expect(graph.nodes.has("inner")).toBe(false);
    expect(graph.edges).toHaveLength(1);
  });
});
