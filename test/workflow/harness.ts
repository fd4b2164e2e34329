/**
 * Shared pieces of the workflow tests: DSL fixtures from `fixtures/`, the real built-in models
 * and the real sandbox behind `createEngineServices`, and a run helper that records events.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ModelRegistry } from "../../src/models/registry.ts";
import { createSandbox } from "../../src/sandbox/worker-pool.ts";
import type { Sandbox } from "../../src/sandbox/types.ts";
import { runWorkflow, type RunWorkflowOptions, type WorkflowRunResult } from "../../src/workflow/engine.ts";
import type { EngineEvent } from "../../src/workflow/events.ts";
import type { WorkflowGraph, WorkflowMode } from "../../src/workflow/graph.ts";
import { loadGraph } from "../../src/workflow/graph-loader.ts";
import type { NodeResult } from "../../src/workflow/nodes/node.ts";
import { nodeRunner } from "../../src/workflow/nodes/registry.ts";
import { createEngineServices, type EngineServices } from "../../src/workflow/services.ts";
import type { WorkflowFile } from "../../src/workflow/segments.ts";
import type { VariablePool } from "../../src/workflow/variable-pool.ts";

export interface Fixture {
  mode: WorkflowMode;
  graph: WorkflowGraph;
  dsl: { workflow: { graph: unknown; conversation_variables?: unknown[]; environment_variables?: unknown[] } };
}

/** Parses `fixtures/<name>.yml` (a Dify DSL file) and loads its graph. */
export async function fixture(name: string): Promise<Fixture> {
  const text = await Bun.file(join(import.meta.dir, "fixtures", `${name}.yml`)).text();
  const dsl = parse(text) as Fixture["dsl"] & { app: { mode: WorkflowMode } };
  return { mode: dsl.app.mode, graph: loadGraph(dsl.workflow.graph, dsl.app.mode), dsl };
}

let sharedSandbox: Sandbox | undefined;

/** One real sandbox for the whole test process (interpreters are slow to start). */
export function sandbox(): Sandbox {
  sharedSandbox ??= createSandbox({ cacheDir: mkdtempSync(join(tmpdir(), "kiln-wf-sandbox-")), workers: 2 });
  return sharedSandbox;
}

/** Closes the shared sandbox; the next `sandbox()` call starts a new one. */
export async function closeSandbox(): Promise<void> {
  const closing = sharedSandbox;
  sharedSandbox = undefined;
  await closing?.close();
}

/** The real built-in models and the real sandbox. */
export function realServices(extra: Partial<EngineServices> = {}): EngineServices {
  const registry = ModelRegistry.create({ env: {} });
  return { ...createEngineServices({ registry, sandbox: sandbox() }), ...extra };
}

export interface RecordedRun {
  result: WorkflowRunResult;
  events: EngineEvent[];
  /** Concatenated `stream_chunk` texts. */
  streamed: string;
}

/** Runs a graph with real services and records every event. */
export async function record(
  graph: WorkflowGraph,
  options: Partial<Omit<RunWorkflowOptions, "graph" | "onEvent">> & { onEvent?: (event: EngineEvent) => void } = {},
): Promise<RecordedRun> {
  const events: EngineEvent[] = [];
  const result = await runWorkflow({
    graph,
    inputs: {},
    system: {},
    services: realServices(),
    ...options,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  const streamed = events.map((event) => (event.type === "stream_chunk" ? event.text : "")).join("");
  return { result, events, streamed };
}

/** Short labels for event-order assertions: `started:llm`, `finished:llm:succeeded`, `chunk:Hi `. */
export function labels(events: EngineEvent[]): string[] {
  return events.map((event) => {
    switch (event.type) {
      case "node_started":
        return `started:${event.nodeId}`;
      case "node_finished":
        return `finished:${event.nodeId}:${event.status}`;
      case "node_retry":
        return `retry:${event.nodeId}:${event.retryIndex}`;
      case "stream_chunk":
        return `chunk:${event.text}`;
      case "variable_updated":
        return `updated:${event.selector.join(".")}`;
      case "run_finished":
        return `run_finished:${event.status}`;
      default:
        return event.type;
    }
  });
}

export function finishedNodes(events: EngineEvent[]): string[] {
  return events.flatMap((event) => (event.type === "node_finished" ? [event.nodeId] : []));
}

/** Runs one node directly against a pool, collecting what it streams. */
export async function runNode(
  type: string,
  data: Record<string, unknown>,
  pool: VariablePool,
  options: { services?: EngineServices; mode?: WorkflowMode; id?: string } = {},
): Promise<{ result: NodeResult; chunks: Array<[string, string]> }> {
  const runner = nodeRunner(type);
  if (!runner) throw new Error(`no runner for ${type}`);
  const chunks: Array<[string, string]> = [];
  const result = await runner.run({
    node: { id: options.id ?? "node", type, title: type, data: { type, ...data } },
    pool,
    services: options.services ?? realServices(),
    mode: options.mode ?? "workflow",
    signal: new AbortController().signal,
    stream: (selector, text) => {
      if (text !== "") chunks.push([selector.join("."), text]);
    },
  });
  return { result, chunks };
}

/** An image file in Dify's File JSON form, for tests that need one. */
export const catImage: WorkflowFile = {
  dify_model_identity: "__dify__file__",
  type: "image",
  transfer_method: "remote_url",
  remote_url: "https://example.test/cat.png",
  filename: "cat.png",
  extension: ".png",
  mime_type: "image/png",
  size: 12,
};
