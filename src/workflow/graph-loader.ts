/**
 * Turns a DSL's `workflow.graph` into a `WorkflowGraph` (§1.1–§1.4): sticky notes dropped, the
 * node type read from `data.type`, default edge handles, the root chosen, legacy shapes of old
 * DSL versions normalised (§5.1, §6.3), and broken graphs rejected with a message that names the
 * culprit. Unknown node types load fine; they fail when they run.
 */
import { invalidParam } from "../errors.ts";
import { ROOT_NODE_TYPES, type GraphEdge, type GraphNode, type WorkflowGraph, type WorkflowMode } from "./graph.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Nodes inside an iteration or loop belong to that container's sub-graph, not the top level. */
function isInnerNode(raw: Record<string, unknown>, data: Record<string, unknown>): boolean {
  return (
    data.isInIteration === true ||
    data.isInLoop === true ||
    typeof raw.parentId === "string" ||
    data.type === "iteration-start" ||
    data.type === "loop-start" ||
    data.type === "loop-end"
  );
}

/** §6.3: one real DSL uses `is empty`; graphon only knows `empty`. */
const LEGACY_OPERATORS: Record<string, string> = { "is empty": "empty", "is not empty": "not empty" };

function normaliseConditions(conditions: unknown): unknown {
  if (!Array.isArray(conditions)) return [];
  return conditions.map((condition) => {
    if (!isRecord(condition)) return condition;
    const operator = condition.comparison_operator;
    return typeof operator === "string" && LEGACY_OPERATORS[operator]
      ? { ...condition, comparison_operator: LEGACY_OPERATORS[operator] }
      : condition;
  });
}

function normaliseIfElse(data: Record<string, unknown>): Record<string, unknown> {
  // §2.7 legacy shape: conditions at data level and no cases → one case "true".
  const cases = Array.isArray(data.cases)
    ? data.cases
    : [{ case_id: "true", logical_operator: data.logical_operator ?? "and", conditions: data.conditions ?? [] }];
  return {
    ...data,
    cases: cases.map((item) =>
      isRecord(item) ? { ...item, case_id: String(item.case_id ?? item.id ?? ""), conditions: normaliseConditions(item.conditions) } : item,
    ),
  };
}

function toNumber(value: unknown, fallback: number): number {
  const number = typeof value === "string" ? Number(value.trim()) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : fallback;
}

function normaliseData(type: string, data: Record<string, unknown>): Record<string, unknown> {
  let normalised: Record<string, unknown> = { ...data, type };
  if (isRecord(data.retry_config)) {
    // §2.0: real DSLs carry `retry_interval: "1000"`.
    const retry = data.retry_config;
    normalised.retry_config = {
      retry_enabled: retry.retry_enabled === true || retry.retry_enabled === "true",
      max_retries: Math.max(0, Math.trunc(toNumber(retry.max_retries, 0))),
      retry_interval: Math.max(0, toNumber(retry.retry_interval, 0)),
    };
  }
  if (type === "if-else") normalised = normaliseIfElse(normalised);
  if (type === "assigner" && typeof data.version === "string") {
    normalised.version = data.version.replace(/^v/i, ""); // §6.3: `version: "v2"` means 2
  }
  return normalised;
}

function loadNode(raw: unknown, index: number): GraphNode | null {
  if (!isRecord(raw)) throw invalidParam(`Invalid workflow graph: node #${index + 1} is not an object`);
  if (raw.type === "custom-note") return null;
  if (typeof raw.id !== "string" || raw.id === "") throw invalidParam(`Invalid workflow graph: node #${index + 1} has no id`);
  if (!isRecord(raw.data) || typeof raw.data.type !== "string" || raw.data.type === "") {
    throw invalidParam(`Invalid workflow graph: node ${raw.id} has no data.type`);
  }
  if (isInnerNode(raw, raw.data)) return null;
  // §1.1 naming trap: `variable-assigner` is the legacy variable aggregator.
  const type = raw.data.type === "variable-assigner" ? "variable-aggregator" : raw.data.type;
  const title = typeof raw.data.title === "string" ? raw.data.title : "";
  return { id: raw.id, type, title, data: normaliseData(type, raw.data) };
}

/**
 * Loads and validates a graph. Throws `KilnError` 400 `invalid_param` naming the node or edge
 * at fault when the graph cannot run: no start node, an edge to an unknown node, a workflow
 * without an End node or a chatflow without an Answer node.
 */
export function loadGraph(raw: unknown, mode: WorkflowMode): WorkflowGraph {
  if (!isRecord(raw) || !Array.isArray(raw.nodes)) throw invalidParam("Invalid workflow graph: nodes must be a list");
  const rawEdges = raw.edges ?? [];
  if (!Array.isArray(rawEdges)) throw invalidParam("Invalid workflow graph: edges must be a list");

  const nodes = new Map<string, GraphNode>();
  const innerIds = new Set<string>();
  raw.nodes.forEach((rawNode, index) => {
    const node = loadNode(rawNode, index);
    if (!node) {
      if (isRecord(rawNode) && typeof rawNode.id === "string") innerIds.add(rawNode.id);
      return;
    }
    if (nodes.has(node.id)) throw invalidParam(`Invalid workflow graph: duplicate node id ${node.id}`);
    nodes.set(node.id, node);
  });

  const edges: GraphEdge[] = [];
  const incoming = new Map<string, GraphEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const id of nodes.keys()) {
    incoming.set(id, []);
    outgoing.set(id, []);
  }
  rawEdges.forEach((rawEdge, index) => {
    if (!isRecord(rawEdge) || typeof rawEdge.source !== "string" || typeof rawEdge.target !== "string") return;
    const { source, target } = rawEdge;
    // Edges inside a container's sub-graph are the container's business.
    if (innerIds.has(source) || innerIds.has(target)) return;
    const label = typeof rawEdge.id === "string" ? rawEdge.id : `#${index + 1}`;
    for (const end of [source, target]) {
      if (!nodes.has(end)) throw invalidParam(`Invalid workflow graph: edge ${label} references unknown node ${end}`);
    }
    const handle = typeof rawEdge.sourceHandle === "string" && rawEdge.sourceHandle !== "" ? rawEdge.sourceHandle : "source";
    const edge: GraphEdge = {
      id: `edge_${edges.length}`,
      source,
      target,
      sourceHandle: handle === "success-branch" ? "source" : handle,
    };
    edges.push(edge);
    outgoing.get(source)!.push(edge);
    incoming.get(target)!.push(edge);
  });

  const root = [...nodes.values()].find((node) => ROOT_NODE_TYPES.has(node.type));
  if (!root) throw invalidParam("Invalid workflow graph: no start node");
  const types = new Set([...nodes.values()].map((node) => node.type));
  if (mode === "workflow" && !types.has("end")) throw invalidParam("Invalid workflow graph: a workflow needs an End node");
  if (mode === "advanced-chat" && !types.has("answer")) {
    throw invalidParam("Invalid workflow graph: a chatflow needs an Answer node");
  }
  return { mode, rootId: root.id, nodes, edges, incoming, outgoing };
}
