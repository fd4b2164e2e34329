/**
 * The response stream filter (§1.8): decides which stream chunks reach the client and in which
 * order. Each Answer/End node owns a template session; a session opens once a path from the root
 * to its node has every blocking edge (out of branch, container and response nodes, or out of an
 * assigner writing a variable the template shows) taken. One session is active at a time; it
 * emits its text, the buffered chunks of the selectors it references, or the whole value of a
 * selector that never streamed, and waits where nothing is known yet.
 */
import { CONTAINER_NODE_TYPES, RESPONSE_NODE_TYPES, isBranchNode, type GraphEdge, type WorkflowGraph } from "./graph.ts";
import { segmentMarkdown } from "./segments.ts";
import { parseTemplate } from "./template.ts";
import type { Selector, VariablePool } from "./variable-pool.ts";

type SessionPart = { kind: "text"; text: string } | { kind: "variable"; selector: string[]; raw: string };

interface Session {
  nodeId: string;
  parts: SessionPart[];
  next: number;
  blocking: Set<string>;
  /** End nodes show a missing value as nothing; Answer nodes as the literal path, like rendering does. */
  literalWhenMissing: boolean;
}

interface ChunkBuffer {
  chunks: string[];
  emitted: number;
  closed: boolean;
}

export type EdgeState = "unknown" | "taken" | "skipped";
export type NodeState = EdgeState | "finished";

export interface StreamFilterHost {
  graph: WorkflowGraph;
  pool: VariablePool;
  edgeState(edgeId: string): EdgeState;
  nodeState(nodeId: string): NodeState;
  emit(text: string, selector: Selector): void;
}

const keyOf = (selector: Selector) => selector.join("\u0000");

function sessionParts(nodeType: string, data: Record<string, unknown>): SessionPart[] {
  if (nodeType === "answer") return parseTemplate(typeof data.answer === "string" ? data.answer : "");
  const outputs = Array.isArray(data.outputs) ? data.outputs : [];
  const parts: SessionPart[] = [];
  for (const output of outputs) {
    const selector = (output as { value_selector?: unknown }).value_selector;
    if (!Array.isArray(selector) || selector.length < 2) continue;
    if (parts.length > 0) parts.push({ kind: "text", text: "\n" });
    parts.push({ kind: "variable", selector: selector.map(String), raw: selector.join(".") });
  }
  return parts;
}

/** Selectors an assigner node writes (v1 and v2 shapes). */
function assignedSelectors(data: Record<string, unknown>): string[][] {
  const selectors: unknown[] = [data.assigned_variable_selector];
  if (Array.isArray(data.items)) for (const item of data.items) selectors.push((item as { variable_selector?: unknown }).variable_selector);
  return selectors.filter((selector): selector is string[] => Array.isArray(selector) && selector.length >= 2);
}

export class ResponseStreamFilter {
  private readonly sessions: Session[] = [];
  private readonly referenced = new Set<string>();
  private readonly buffers = new Map<string, ChunkBuffer>();
  private readonly waiting: Session[] = [];
  private readonly opened = new Set<string>();
  private active: Session | undefined;

  constructor(private readonly host: StreamFilterHost) {
    const { graph } = host;
    for (const node of graph.nodes.values()) {
      if (!RESPONSE_NODE_TYPES.has(node.type)) continue;
      const parts = sessionParts(node.type, node.data);
      const shown = new Set<string>();
      for (const part of parts) {
        if (part.kind !== "variable") continue;
        this.referenced.add(keyOf(part.selector));
        shown.add(keyOf(part.selector.slice(0, 2)));
      }
      const blocking = new Set<string>();
      for (const edge of graph.edges) {
        const source = graph.nodes.get(edge.source)!;
        const blocks =
          isBranchNode(source) ||
          CONTAINER_NODE_TYPES.has(source.type) ||
          RESPONSE_NODE_TYPES.has(source.type) ||
          (source.type === "assigner" && assignedSelectors(source.data).some((selector) => shown.has(keyOf(selector.slice(0, 2)))));
        if (blocks) blocking.add(edge.id);
      }
      this.sessions.push({ nodeId: node.id, parts, next: 0, blocking, literalWhenMissing: node.type === "answer" });
    }
  }

  /** Opens the sessions reachable before anything ran (ties broken by node id) and flushes. */
  start(): void {
    this.openReachable();
    this.flush();
  }

  /** A stream chunk from a node; dropped unless some response template shows its selector. */
  onChunk(selector: Selector, text: string, isFinal: boolean): void {
    const key = keyOf(selector);
    if (!this.referenced.has(key)) return;
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = { chunks: [], emitted: 0, closed: false };
      this.buffers.set(key, buffer);
    }
    if (text !== "") buffer.chunks.push(text);
    if (isFinal) buffer.closed = true;
    this.flush();
  }

  /** A node finished (or was handled as an exception): its streams are complete. */
  onNodeFinished(nodeId: string): void {
    for (const [key, buffer] of this.buffers) if (key.split("\u0000")[0] === nodeId) buffer.closed = true;
    this.flush();
  }

  /** Edges were taken or nodes skipped: more sessions may open, skipped sources are dropped. */
  onGraphChanged(): void {
    this.openReachable();
    this.flush();
  }

  private openReachable(): void {
    const reachable = this.sessions
      .filter((session) => !this.opened.has(session.nodeId) && this.isReachable(session))
      .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    for (const session of reachable) {
      this.opened.add(session.nodeId);
      this.waiting.push(session);
    }
  }

  /** A path from the root whose blocking edges are all taken (a walk in the DAG is such a path). */
  private isReachable(session: Session): boolean {
    const { graph } = this.host;
    const seen = new Set([graph.rootId]);
    const stack = [graph.rootId];
    while (stack.length > 0) {
      const nodeId = stack.pop()!;
      if (nodeId === session.nodeId) return true;
      for (const edge of graph.outgoing.get(nodeId) ?? []) {
        if (seen.has(edge.target) || !this.passable(edge, session)) continue;
        seen.add(edge.target);
        stack.push(edge.target);
      }
    }
    return false;
  }

  private passable(edge: GraphEdge, session: Session): boolean {
    const state = this.host.edgeState(edge.id);
    return session.blocking.has(edge.id) ? state === "taken" : state !== "skipped";
  }

  private flush(): void {
    for (;;) {
      if (!this.active) {
        this.active = this.waiting.shift();
        if (!this.active) return;
      }
      if (!this.advance(this.active)) return;
      this.active = undefined;
    }
  }

  /** Emits what the session can; true once every part is done. */
  private advance(session: Session): boolean {
    const { pool } = this.host;
    while (session.next < session.parts.length) {
      const part = session.parts[session.next]!;
      if (part.kind === "text") {
        this.host.emit(part.text, [session.nodeId, "answer"]);
        session.next += 1;
        continue;
      }
      const [sourceId] = part.selector as [string];
      const sourceIsNode = this.host.graph.nodes.has(sourceId);
      const sourceState = sourceIsNode ? this.host.nodeState(sourceId) : "finished";
      if (sourceState === "skipped") {
        session.next += 1;
        continue;
      }
      const buffer = this.buffers.get(keyOf(part.selector));
      if (buffer) {
        while (buffer.emitted < buffer.chunks.length) this.host.emit(buffer.chunks[buffer.emitted++]!, part.selector);
        if (!buffer.closed) return false;
        session.next += 1;
        continue;
      }
      const segment = pool.get(part.selector);
      if (segment) {
        this.host.emit(segmentMarkdown(segment), part.selector);
      } else if (sourceState !== "finished") {
        return false;
      } else if (session.literalWhenMissing) {
        this.host.emit(part.raw, part.selector);
      }
      session.next += 1;
    }
    return true;
  }
}
