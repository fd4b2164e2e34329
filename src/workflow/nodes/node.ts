/**
 * The one interface every node type implements. A node reads the pool, does its work and
 * returns its result; the engine writes outputs, picks edges, applies error strategies and emits
 * events. A node signals failure by throwing; `NodeFailure` carries an error type and whatever
 * inputs were already resolved so the run log shows them.
 */
import type { LlmUsage } from "../../models/types.ts";
import type { NodeExecutionMetadata } from "../events.ts";
import type { GraphNode, WorkflowMode } from "../graph.ts";
import type { Segment } from "../segments.ts";
import type { EngineServices } from "../services.ts";
import type { Selector, VariablePool } from "../variable-pool.ts";

export interface NodeContext {
  node: GraphNode;
  pool: VariablePool;
  services: EngineServices;
  mode: WorkflowMode;
  /** Aborted when the run stops; pass it to every long call. */
  signal: AbortSignal;
  /** Streams a chunk of an output as it is produced (LLM tokens on `[id, "text"]`). */
  stream(selector: Selector, text: string, isFinal: boolean): void;
}

/** A pool write made by an assigner node; the engine applies it and emits `variable_updated`. */
export interface VariableUpdate {
  selector: [string, string];
  segment: Segment;
}

export interface NodeResult {
  inputs?: Record<string, unknown>;
  processData?: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** Branch nodes: the handle whose edges are taken. */
  edgeSourceHandle?: string;
  metadata?: NodeExecutionMetadata;
  usage?: LlmUsage;
  variableUpdates?: VariableUpdate[];
}

export interface NodeRunner {
  run(context: NodeContext): Promise<NodeResult>;
  /** §2.0: only some node types honour `retry_config`. */
  readonly retryable?: boolean;
}

/** A node's own failure: the message becomes the node (and possibly run) error. */
export class NodeFailure extends Error {
  constructor(
    message: string,
    readonly errorType = "NodeError",
    readonly inputs?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "NodeFailure";
  }
}

/** Reads a field of node data as a selector, or fails the node naming the field. */
export function readSelector(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length < 2 || !value.every((part) => typeof part === "string")) {
    throw new NodeFailure(`Invalid ${field}: expected a variable selector`, "ValueError");
  }
  return value as string[];
}
