/**
 * The loaded, validated form of a workflow graph: only what the engine needs (§1.1, §1.2), with
 * legacy shapes already normalised by the loader so nodes see one schema.
 */

export type WorkflowMode = "workflow" | "advanced-chat";

export interface GraphNode {
  id: string;
  /** The node type from `data.type` (legacy `variable-assigner` already renamed). */
  type: string;
  title: string;
  /** The node's `data`, normalised; unknown keys kept. */
  data: Record<string, unknown>;
}

export interface GraphEdge {
  /** Internal id, `edge_<n>` in load order. */
  id: string;
  source: string;
  target: string;
  /** `source` unless the edge leaves a branch handle; `success-branch` is read as `source`. */
  sourceHandle: string;
}

export interface WorkflowGraph {
  mode: WorkflowMode;
  rootId: string;
  nodes: ReadonlyMap<string, GraphNode>;
  edges: readonly GraphEdge[];
  incoming: ReadonlyMap<string, readonly GraphEdge[]>;
  outgoing: ReadonlyMap<string, readonly GraphEdge[]>;
}

/** Node types that may be a graph's entry point (§1.3). */
export const ROOT_NODE_TYPES: ReadonlySet<string> = new Set([
  "start",
  "datasource",
  "trigger-webhook",
  "trigger-schedule",
  "trigger-plugin",
]);

/** Node types whose outgoing edges depend on a chosen handle (fail-branch nodes join at run time). */
export const BRANCH_NODE_TYPES: ReadonlySet<string> = new Set(["if-else", "question-classifier", "human-input"]);
export const CONTAINER_NODE_TYPES: ReadonlySet<string> = new Set(["iteration", "loop"]);
export const RESPONSE_NODE_TYPES: ReadonlySet<string> = new Set(["answer", "end"]);

/** Whether a node picks one handle: branch types, and any node with `error_strategy: fail-branch`. */
export function isBranchNode(node: GraphNode): boolean {
  return BRANCH_NODE_TYPES.has(node.type) || node.data.error_strategy === "fail-branch";
}
