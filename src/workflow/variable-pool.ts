/**
 * The variable pool (§3.1): values keyed by `[nodeIdOrNamespace, name]`, read with selectors of
 * length ≥ 2 that walk into objects (and one level into a file's attributes). Nothing is removed
 * during a run, which is what lets aggregators and cross-branch references work.
 */
import { fileAttribute, isFile, toSegment, type Segment, type SegmentType } from "./segments.ts";

export type Selector = readonly string[];

export class VariablePool {
  private readonly store = new Map<string, Map<string, Segment>>();

  /** Writes a value; Dify only accepts two-part selectors here. */
  add(selector: Selector, value: unknown, declaredType?: SegmentType): void {
    this.set(selector, toSegment(value, declaredType));
  }

  /** Writes an already typed segment (assigner updates keep the variable's declared type). */
  set(selector: Selector, segment: Segment): void {
    if (selector.length !== 2) throw new Error(`Invalid selector length ${selector.length} for a write: ${selector.join(".")}`);
    const [first, second] = selector as [string, string];
    let namespace = this.store.get(first);
    if (!namespace) {
      namespace = new Map();
      this.store.set(first, namespace);
    }
    namespace.set(second, segment);
  }

  /** Reads a segment, or `undefined` when the selector resolves to nothing. */
  get(selector: Selector): Segment | undefined {
    if (selector.length < 2) return undefined;
    const segment = this.store.get(selector[0]!)?.get(selector[1]!);
    if (!segment || selector.length === 2) return segment;
    if (isFile(segment.value)) {
      if (selector.length !== 3) return undefined;
      const value = fileAttribute(segment.value, selector[2]!);
      return value === null ? undefined : toSegment(value);
    }
    let current: unknown = segment.value;
    for (const key of selector.slice(2)) {
      if (typeof current !== "object" || current === null || Array.isArray(current) || isFile(current)) return undefined;
      if (!Object.hasOwn(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    return toSegment(current);
  }

  /** The plain value at a selector (`null` when missing), as code and template nodes receive it. */
  getValue(selector: Selector): unknown {
    return this.get(selector)?.value ?? null;
  }

  /** Every variable of one namespace, e.g. all `sys.*` for the start node's flattened outputs. */
  entries(namespace: string): Array<[string, Segment]> {
    return [...(this.store.get(namespace) ?? new Map<string, Segment>()).entries()];
  }
}
