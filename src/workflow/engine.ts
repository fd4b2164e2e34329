/**
 * Runs a loaded workflow graph (§1.5): ready/skip traversal with join semantics, branches run
 * concurrently up to a worker limit, one synchronous dispatcher for results (so pool writes and
 * events never interleave), error strategies and retries (§2.0), step and time limits, stop
 * through an `AbortSignal`, and the run status rules of §4.1. Pure: no HTTP, no storage; the
 * caller persists and streams from the events.
 */
import { randomUUID } from "node:crypto";
import type { LlmUsage } from "../models/types.ts";
import { defaultValueOutputs, errorStrategy, retryConfig } from "./error-strategy.ts";
import type { EngineEvent, NodeExecutionMetadata, NodeExecutionRef, RunStatus, WorkflowRunResult } from "./events.ts";
import { RESPONSE_NODE_TYPES, ROOT_NODE_TYPES, isBranchNode, type GraphEdge, type GraphNode, type WorkflowGraph } from "./graph.ts";
import { NodeFailure, type NodeContext, type NodeResult } from "./nodes/node.ts";
import { nodeRunner } from "./nodes/registry.ts";
import { ResponseStreamFilter, type EdgeState, type NodeState } from "./response-stream.ts";
import type { SegmentType, WorkflowFile } from "./segments.ts";
import type { EngineServices } from "./services.ts";
import { VariablePool } from "./variable-pool.ts";

/** `sys.*` values of one run (§3.3); keys left undefined are not added to the pool. */
export interface SystemVariables {
  query?: string;
  files?: WorkflowFile[];
  conversation_id?: string;
  dialogue_count?: number;
  user_id?: string;
  app_id?: string;
  workflow_id?: string;
  workflow_run_id?: string;
  timestamp?: number;
  invoke_from?: string;
  [key: string]: unknown;
}

/** An env or conversation variable with its current value (§3.4, §3.5). */
export interface VariableValue {
  name: string;
  value: unknown;
  value_type?: string;
}

export interface RunLimits {
  /** Node starts allowed, retries included (Dify `WORKFLOW_MAX_EXECUTION_STEPS`). Default 500. */
  maxSteps?: number;
  /** Wall time of the run in milliseconds (Dify `WORKFLOW_MAX_EXECUTION_TIME`). Default 1,200,000. */
  maxExecutionMs?: number;
  /** Nodes running at once (graphon's worker pool maximum). Default 10. */
  maxConcurrency?: number;
}

export interface RunWorkflowOptions {
  graph: WorkflowGraph;
  /** User inputs, already validated (see `prepareUserInputs`); stored under the start node id. */
  inputs: Record<string, unknown>;
  system: SystemVariables;
  environmentVariables?: VariableValue[];
  conversationVariables?: VariableValue[];
  services: EngineServices;
  /** Aborting stops the run: status `stopped`, error = the reason when it is a string. */
  signal?: AbortSignal;
  limits?: RunLimits;
  onEvent(event: EngineEvent): void;
}

/** The stop message when the caller's signal carries no reason of its own (service-api §7.4). */
export const STOPPED_BY_USER = "Stopped by user.";

export type { WorkflowRunResult };

/** Runs a workflow to its end and resolves with the run summary (also sent as `run_finished`). */
export function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
  return new WorkflowRun(options).execute();
}

function declaredType(valueType: string | undefined, value: unknown): SegmentType | undefined {
  if (valueType === "secret") return "secret";
  if (valueType === "number" && typeof value === "number" && !Number.isInteger(value)) return "float";
  return valueType?.startsWith("array[") ? (valueType as SegmentType) : undefined;
}

const abortableSleep = (milliseconds: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || milliseconds <= 0) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });

class WorkflowRun {
  private readonly graph: WorkflowGraph;
  private readonly pool = new VariablePool();
  private readonly nodeStates = new Map<string, NodeState>();
  private readonly edgeStates = new Map<string, EdgeState>();
  private readonly ready: string[] = [];
  private readonly controller = new AbortController();
  private readonly filter: ResponseStreamFilter;
  private readonly maxSteps: number;
  private readonly maxExecutionMs: number;
  private readonly maxConcurrency: number;
  private readonly startedAt = Date.now();
  private running = 0;
  private steps = 0;
  private nodeIndex = 0;
  private totalTokens = 0;
  private exceptionsCount = 0;
  private outputs: Record<string, unknown> = {};
  private ending: { status: "failed" | "stopped"; error: string } | undefined;
  private finish!: () => void;

  constructor(private readonly options: RunWorkflowOptions) {
    this.graph = options.graph;
    this.maxSteps = options.limits?.maxSteps ?? 500;
    this.maxExecutionMs = options.limits?.maxExecutionMs ?? 1_200_000;
    this.maxConcurrency = Math.max(1, options.limits?.maxConcurrency ?? 10);
    for (const id of this.graph.nodes.keys()) this.nodeStates.set(id, "unknown");
    for (const edge of this.graph.edges) this.edgeStates.set(edge.id, "unknown");
    this.filter = new ResponseStreamFilter({
      graph: this.graph,
      pool: this.pool,
      edgeState: (id) => this.edgeStates.get(id) ?? "unknown",
      nodeState: (id) => this.nodeStates.get(id) ?? "unknown",
      emit: (text, selector) => {
        if (text !== "") this.emit({ type: "stream_chunk", text, selector });
      },
    });
  }

  async execute(): Promise<WorkflowRunResult> {
    const { signal } = this.options;
    const finished = new Promise<void>((resolve) => (this.finish = resolve));
    const onStop = () => this.abort("stopped", typeof signal?.reason === "string" ? signal.reason : STOPPED_BY_USER);
    const timer = setTimeout(
      () => this.abort("stopped", `Maximum execution time exceeded: ${((Date.now() - this.startedAt) / 1000).toFixed(2)}s > ${this.maxExecutionMs / 1000}s`),
      this.maxExecutionMs,
    );
    signal?.addEventListener("abort", onStop);
    try {
      this.emit({ type: "run_started", createdAt: this.startedAt });
      this.seedPool();
      if (signal?.aborted) onStop();
      this.nodeStates.set(this.graph.rootId, "taken");
      this.ready.push(this.graph.rootId);
      // §1.4: other entry nodes (triggers) are skipped along with what only they lead to.
      for (const node of this.graph.nodes.values()) {
        if (node.id !== this.graph.rootId && ROOT_NODE_TYPES.has(node.type)) this.skipNode(node.id);
      }
      this.filter.start();
      this.pump();
      await finished;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onStop);
    }
    const status: RunStatus = this.ending?.status ?? (this.exceptionsCount > 0 ? "partial-succeeded" : "succeeded");
    const result: WorkflowRunResult = {
      status,
      outputs: this.outputs,
      error: this.ending?.error ?? null,
      totalTokens: this.totalTokens,
      totalSteps: this.steps,
      exceptionsCount: this.exceptionsCount,
      elapsedTime: (Date.now() - this.startedAt) / 1000,
    };
    this.emit({ type: "run_finished", ...result, finishedAt: Date.now() });
    return result;
  }

  private emit(event: EngineEvent): void {
    this.options.onEvent(event);
  }

  private seedPool(): void {
    const { system, inputs, environmentVariables, conversationVariables } = this.options;
    this.pool.add(["sys", "files"], system.files ?? [], "array[file]");
    for (const [key, value] of Object.entries(system)) {
      if (value !== undefined && value !== null && key !== "files") this.pool.add(["sys", key], value);
    }
    for (const variable of environmentVariables ?? []) {
      this.pool.add(["env", variable.name], variable.value, declaredType(variable.value_type, variable.value));
    }
    for (const variable of conversationVariables ?? []) {
      this.pool.add(["conversation", variable.name], variable.value, declaredType(variable.value_type, variable.value));
    }
    for (const [key, value] of Object.entries(inputs)) this.pool.add([this.graph.rootId, key], value);
  }

  private abort(status: "failed" | "stopped", error: string): void {
    if (this.ending) return;
    this.ending = { status, error };
    this.ready.length = 0;
    this.controller.abort(error);
    this.pump();
  }

  private pump(): void {
    while (!this.ending && this.running < this.maxConcurrency && this.ready.length > 0) {
      const nodeId = this.ready.shift()!;
      if (this.steps + 1 > this.maxSteps) {
        this.abort("stopped", `Maximum execution steps exceeded: ${this.steps + 1} > ${this.maxSteps}`);
        break;
      }
      this.running += 1;
      void this.runNode(this.graph.nodes.get(nodeId)!).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
    if (this.running === 0 && (this.ready.length === 0 || this.ending)) this.finish();
  }

  private async runNode(node: GraphNode): Promise<void> {
    this.steps += 1;
    const ref: NodeExecutionRef = {
      id: randomUUID(),
      nodeId: node.id,
      nodeType: node.type,
      title: node.title,
      index: ++this.nodeIndex,
      createdAt: Date.now(),
    };
    this.emit({ type: "node_started", ...ref });
    const runner = nodeRunner(node.type);
    const retry = retryConfig(node);
    const context: NodeContext = {
      node,
      pool: this.pool,
      services: this.options.services,
      mode: this.graph.mode,
      signal: this.controller.signal,
      stream: (selector, text, isFinal) => {
        if (!this.ending) this.filter.onChunk(selector, text, isFinal);
      },
    };
    for (let attempt = 0; ; attempt += 1) {
      let result: NodeResult | undefined;
      let failure: NodeFailure;
      try {
        if (!runner) throw new NodeFailure(`Node type '${node.type}' is not supported`, "NotSupportedError");
        result = await runner.run(context);
      } catch (error) {
        failure =
          error instanceof NodeFailure
            ? error
            : new NodeFailure(error instanceof Error ? error.message : String(error), error instanceof Error ? error.name : "Error");
      }
      if (this.ending) return this.finishAborted(ref);
      if (result) return this.succeed(node, ref, result);
      failure = failure!;
      this.exceptionsCount += 1;
      if (runner?.retryable && retry.enabled && attempt < retry.maxRetries) {
        this.emit({
          type: "node_retry",
          ...ref,
          retryIndex: attempt + 1,
          error: failure.message,
          inputs: failure.inputs ?? null,
          processData: null,
          outputs: null,
          elapsedTime: (Date.now() - ref.createdAt) / 1000,
        });
        await abortableSleep(retry.intervalMs, this.controller.signal);
        if (this.ending) return this.finishAborted(ref);
        if (this.steps + 1 > this.maxSteps) {
          this.finishNode(ref, { status: "failed", error: failure.message, errorType: failure.errorType });
          return this.abort("stopped", `Maximum execution steps exceeded: ${this.steps + 1} > ${this.maxSteps}`);
        }
        this.steps += 1;
        continue;
      }
      return this.handleFailure(node, ref, failure);
    }
  }

  /** §4.1: nodes still running when the run ends are recorded as failed with the run's reason. */
  private finishAborted(ref: NodeExecutionRef): void {
    this.finishNode(ref, { status: "failed", error: this.ending?.error ?? STOPPED_BY_USER, errorType: "AbortedError" });
  }

  private handleFailure(node: GraphNode, ref: NodeExecutionRef, failure: NodeFailure): void {
    const strategy = errorStrategy(node);
    if (strategy === null) {
      this.finishNode(ref, { status: "failed", error: failure.message, errorType: failure.errorType, inputs: failure.inputs });
      return this.abort("failed", failure.message);
    }
    let outputs: Record<string, unknown>;
    try {
      outputs =
        strategy === "default-value"
          ? defaultValueOutputs(node, failure.message, failure.errorType)
          : { error_message: failure.message, error_type: failure.errorType };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.finishNode(ref, { status: "failed", error: message, errorType: "ValueError", inputs: failure.inputs });
      return this.abort("failed", message);
    }
    this.complete(node, ref, {
      status: "exception",
      outputs,
      inputs: failure.inputs,
      error: failure.message,
      errorType: failure.errorType,
      metadata: { error_strategy: strategy },
      handle: strategy === "fail-branch" ? "fail-branch" : isBranchNode(node) ? "source" : undefined,
    });
  }

  private succeed(node: GraphNode, ref: NodeExecutionRef, result: NodeResult): void {
    if (result.usage) this.totalTokens += result.usage.total_tokens;
    for (const update of result.variableUpdates ?? []) {
      this.pool.set(update.selector, update.segment);
      this.emit({
        type: "variable_updated",
        nodeId: node.id,
        selector: update.selector,
        value: update.segment.value,
        valueType: update.segment.type,
      });
    }
    if (isBranchNode(node) && result.edgeSourceHandle === undefined && errorStrategy(node) !== "fail-branch") {
      const error = `Node ${node.id} did not select a branch`;
      this.finishNode(ref, { status: "failed", error, errorType: "GraphError" });
      return this.abort("failed", error);
    }
    this.complete(node, ref, {
      status: "succeeded",
      outputs: result.outputs,
      inputs: result.inputs,
      processData: result.processData,
      metadata: result.metadata,
      usage: result.usage,
      handle: result.edgeSourceHandle ?? "source",
    });
  }

  /** Writes outputs, decides edges, lets the stream filter flush, then reports the node. */
  private complete(
    node: GraphNode,
    ref: NodeExecutionRef,
    outcome: {
      status: "succeeded" | "exception";
      outputs: Record<string, unknown>;
      inputs?: Record<string, unknown>;
      processData?: Record<string, unknown>;
      error?: string;
      errorType?: string;
      metadata?: NodeExecutionMetadata;
      usage?: LlmUsage;
      handle: string | undefined;
    },
  ): void {
    for (const [key, value] of Object.entries(outcome.outputs)) this.pool.add([node.id, key], value);
    this.nodeStates.set(node.id, "finished");
    const newlyReady: string[] = [];
    for (const edge of this.graph.outgoing.get(node.id) ?? []) {
      const taken = !isBranchNode(node) || edge.sourceHandle === outcome.handle;
      if (taken) this.takeEdge(edge, newlyReady);
      else this.skipEdge(edge, newlyReady);
    }
    if (RESPONSE_NODE_TYPES.has(node.type)) this.mergeOutputs(outcome.outputs);
    this.filter.onGraphChanged();
    this.filter.onNodeFinished(node.id);
    this.finishNode(ref, {
      status: outcome.status,
      outputs: outcome.outputs,
      inputs: outcome.inputs,
      processData: outcome.processData,
      error: outcome.error,
      errorType: outcome.errorType,
      metadata: outcome.metadata,
    });
    this.ready.push(...newlyReady);
  }

  private finishNode(
    ref: NodeExecutionRef,
    outcome: {
      status: "succeeded" | "failed" | "exception";
      outputs?: Record<string, unknown>;
      inputs?: Record<string, unknown>;
      processData?: Record<string, unknown>;
      error?: string;
      errorType?: string;
      metadata?: NodeExecutionMetadata;
    },
  ): void {
    const finishedAt = Date.now();
    this.emit({
      type: "node_finished",
      ...ref,
      status: outcome.status,
      inputs: outcome.inputs ?? null,
      processData: outcome.processData ?? null,
      outputs: outcome.outputs ?? null,
      error: outcome.error ?? null,
      errorType: outcome.errorType ?? null,
      elapsedTime: (finishedAt - ref.createdAt) / 1000,
      finishedAt,
      executionMetadata: outcome.metadata ?? null,
    });
  }

  /** §1.7: `answer` is concatenated across Answer nodes, other keys are overwritten. */
  private mergeOutputs(outputs: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(outputs)) {
      if (key === "answer" && typeof value === "string" && typeof this.outputs.answer === "string") {
        this.outputs.answer += value;
      } else {
        this.outputs[key] = value;
      }
    }
  }

  private takeEdge(edge: GraphEdge, newlyReady: string[]): void {
    this.edgeStates.set(edge.id, "taken");
    this.queueIfReady(edge.target, newlyReady);
  }

  private skipEdge(edge: GraphEdge, newlyReady: string[]): void {
    this.edgeStates.set(edge.id, "skipped");
    const incoming = this.graph.incoming.get(edge.target) ?? [];
    if (incoming.some((other) => this.edgeStates.get(other.id) === "unknown")) return;
    if (incoming.some((other) => this.edgeStates.get(other.id) === "taken")) return this.queueIfReady(edge.target, newlyReady);
    this.skipNode(edge.target, newlyReady);
  }

  private skipNode(nodeId: string, newlyReady: string[] = this.ready): void {
    if (this.nodeStates.get(nodeId) !== "unknown") return;
    this.nodeStates.set(nodeId, "skipped");
    for (const edge of this.graph.outgoing.get(nodeId) ?? []) this.skipEdge(edge, newlyReady);
  }

  /** §1.5: ready when no incoming edge is undecided and at least one is taken. */
  private queueIfReady(nodeId: string, newlyReady: string[]): void {
    if (this.nodeStates.get(nodeId) !== "unknown") return;
    const incoming = this.graph.incoming.get(nodeId) ?? [];
    const states = incoming.map((edge) => this.edgeStates.get(edge.id));
    if (states.includes("unknown") || !states.includes("taken")) return;
    this.nodeStates.set(nodeId, "taken");
    newlyReady.push(nodeId);
  }
}

