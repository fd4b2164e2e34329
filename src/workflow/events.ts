/**
 * The events a run emits, in order, through one callback (modelled on graphon's graph events,
 * §4.3). The app runners persist runs and node executions from them and map them to SSE:
 * `run_started` → `workflow_started`, `node_started` → `node_started`, `node_retry` →
 * `node_retry`, `node_finished` → `node_finished`, `stream_chunk` → `text_chunk` (workflow) or
 * `message` (chatflow), `run_finished` → `workflow_finished`.
 */
import type { Selector } from "./variable-pool.ts";
import type { SegmentType } from "./segments.ts";

/** Final status of a run (§4.1); `running` is only ever a stored state. */
export type RunStatus = "succeeded" | "failed" | "stopped" | "partial-succeeded";

/** Final status of one node execution; `exception` = failed but handled by an error strategy. */
export type NodeStatus = "succeeded" | "failed" | "exception";

/** Shared fields of every event about one node execution. */
export interface NodeExecutionRef {
  /** Execution id (uuid), also the node execution row id. */
  id: string;
  nodeId: string;
  nodeType: string;
  title: string;
  /** 1-based order in which nodes started in this run. */
  index: number;
  /** Unix milliseconds when the node started (its first attempt). */
  createdAt: number;
}

export interface NodeExecutionMetadata {
  total_tokens?: number;
  total_price?: string;
  currency?: string;
  error_strategy?: string;
  [key: string]: unknown;
}

export type EngineEvent =
  | { type: "run_started"; createdAt: number }
  | ({ type: "node_started" } & NodeExecutionRef)
  | ({
      type: "node_retry";
      /** 1-based number of the retry that follows this failed attempt. */
      retryIndex: number;
      error: string;
      inputs: Record<string, unknown> | null;
      processData: Record<string, unknown> | null;
      outputs: Record<string, unknown> | null;
      elapsedTime: number;
    } & NodeExecutionRef)
  | ({
      type: "node_finished";
      status: NodeStatus;
      inputs: Record<string, unknown> | null;
      processData: Record<string, unknown> | null;
      outputs: Record<string, unknown> | null;
      error: string | null;
      errorType: string | null;
      /** Seconds from the node's start to its end, retries included. */
      elapsedTime: number;
      finishedAt: number;
      executionMetadata: NodeExecutionMetadata | null;
    } & NodeExecutionRef)
  /** A chunk that passed the response stream filter (§1.8): the text clients see, in order. */
  | { type: "stream_chunk"; text: string; selector: Selector }
  /** A variable written by an assigner node; `conversation.*` ones are to be persisted now. */
  | { type: "variable_updated"; nodeId: string; selector: Selector; value: unknown; valueType: SegmentType }
  | ({ type: "run_finished"; finishedAt: number } & WorkflowRunResult);

/** The summary of a finished run: what `runWorkflow` resolves with and `run_finished` carries. */
export interface WorkflowRunResult {
  status: RunStatus;
  /** Merged response outputs (§1.7): End outputs, or `{answer, files}` in a chatflow. */
  outputs: Record<string, unknown>;
  error: string | null;
  totalTokens: number;
  totalSteps: number;
  exceptionsCount: number;
  /** Seconds. */
  elapsedTime: number;
}
