/**
 * Workflow engine overhead. Three figures:
 * 1. pure engine cost per node: 50-node chains of if-else and variable-aggregator nodes (no
 *    sandbox, no model), so the time is traversal, pool, events and the stream filter;
 * 2. cost per node of a 50-node chain mixing template-transform, if-else and javascript code
 *    nodes, sandbox time included;
 * 3. runs per second of a small start → llm (builtin/echo) → end workflow, sequential and with
 *    20 runs in flight.
 * Usage: `bun scripts/bench/workflow-engine.ts [runs]` (default 200). Target: < 0.2 ms per simple node.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModelRegistry } from "../../src/models/registry.ts";
import { createSandbox } from "../../src/sandbox/worker-pool.ts";
import { runWorkflow } from "../../src/workflow/engine.ts";
import { loadGraph } from "../../src/workflow/graph-loader.ts";
import { createEngineServices, type EngineServices } from "../../src/workflow/services.ts";

const runs = Number(process.argv[2] ?? 200);
const CHAIN_LENGTH = 50;

type RawNode = { id: string; data: Record<string, unknown> };

/** start → middle nodes built by `middle(i)` → end, as DSL graph JSON. */
function chain(middle: (index: number) => Record<string, unknown>): unknown {
  const nodes: RawNode[] = [{ id: "start", data: { type: "start", variables: [{ variable: "x", type: "number" }] } }];
  for (let index = 0; index < CHAIN_LENGTH - 2; index++) nodes.push({ id: `n${index}`, data: middle(index) });
  nodes.push({ id: "end", data: { type: "end", outputs: [{ variable: "last", value_selector: [nodes.at(-1)!.id, "output"] }] } });
  const edges = nodes.slice(1).map((node, index) => ({ source: nodes[index]!.id, target: node.id, sourceHandle: "source" }));
  // if-else nodes leave through their "true" handle.
  for (const edge of edges) if (nodes.find((node) => node.id === edge.source)?.data.type === "if-else") edge.sourceHandle = "true";
  return { nodes, edges };
}

const ifElse = () => ({
  type: "if-else",
  cases: [{ case_id: "true", logical_operator: "and", conditions: [{ variable_selector: ["start", "x"], comparison_operator: "≥", value: "{{#start.x#}}" }] }],
});

const pureChain = chain((index) =>
  index % 2 === 0 ? ifElse() : { type: "variable-aggregator", variables: [["start", "x"]] },
);

const sandboxChain = chain((index) => {
  switch (index % 3) {
    case 0:
      return { type: "template-transform", template: "{{ x }}", variables: [{ variable: "x", value_selector: ["start", "x"] }] };
    case 1:
      return ifElse();
    default:
      return {
        type: "code",
        code_language: "javascript",
        code: "function main({x}) { return {output: x + 1}; }",
        variables: [{ variable: "x", value_selector: ["start", "x"] }],
        outputs: { output: { type: "number" } },
      };
  }
});

const echoWorkflow = {
  nodes: [
    { id: "start", data: { type: "start", variables: [{ variable: "q", type: "text-input" }] } },
    {
      id: "llm",
      data: { type: "llm", model: { provider: "builtin", name: "echo", completion_params: {} }, prompt_template: [{ role: "user", text: "{{#start.q#}}" }] },
    },
    { id: "end", data: { type: "end", outputs: [{ variable: "text", value_selector: ["llm", "text"] }] } },
  ],
  edges: [
    { source: "start", target: "llm" },
    { source: "llm", target: "end" },
  ],
};

async function timeRuns(label: string, raw: unknown, services: EngineServices, inputs: Record<string, unknown>, count: number, perNode: boolean) {
  const graph = loadGraph(raw, "workflow");
  const run = async () => {
    const result = await runWorkflow({ graph, inputs, system: {}, services, onEvent: () => {} });
    if (result.status !== "succeeded") throw new Error(`${label}: run ${result.status}: ${result.error}`);
    return result;
  };
  for (let i = 0; i < Math.min(20, count); i++) await run();
  const started = performance.now();
  let steps = 0;
  for (let i = 0; i < count; i++) steps += (await run()).totalSteps;
  const elapsed = performance.now() - started;
  const figure = perNode ? `${(elapsed / steps).toFixed(4)} ms per node` : `${((count / elapsed) * 1000).toFixed(0)} runs/s`;
  console.log(`${label.padEnd(44)} ${figure}   (${count} runs, ${steps / count} nodes each, ${(elapsed / count).toFixed(2)} ms per run)`);
}

const cacheDir = await mkdtemp(join(tmpdir(), "kiln-bench-workflow-"));
const sandbox = createSandbox({ cacheDir, workers: 2 });
try {
  await sandbox.warmUp();
  const services = createEngineServices({ registry: ModelRegistry.create({ env: {} }), sandbox });
  await timeRuns("if-else/aggregator chain (engine only)", pureChain, services, { x: 1 }, runs, true);
  await timeRuns("template/if-else/code chain (with sandbox)", sandboxChain, services, { x: 1 }, Math.max(10, runs / 10), true);
  await timeRuns("start → llm(builtin/echo) → end, sequential", echoWorkflow, services, { q: "hello there big world" }, runs * 5, false);
  const graph = loadGraph(echoWorkflow, "workflow");
  const inFlight = 20;
  const started = performance.now();
  const total = runs * 5;
  for (let batch = 0; batch < total / inFlight; batch++) {
    await Promise.all(
      Array.from({ length: inFlight }, () => runWorkflow({ graph, inputs: { q: "hello there big world" }, system: {}, services, onEvent: () => {} })),
    );
  }
  const elapsed = performance.now() - started;
  console.log(`${"start → llm(builtin/echo) → end, 20 in flight".padEnd(44)} ${((total / elapsed) * 1000).toFixed(0)} runs/s   (${total} runs)`);
} finally {
  await sandbox.close();
  await rm(cacheDir, { recursive: true, force: true });
}
