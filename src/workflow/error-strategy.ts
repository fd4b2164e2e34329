/**
 * A node's error handling settings (§2.0): retries, then either abort the run, continue with
 * default values, or take the `fail-branch` edges.
 */
import type { GraphNode } from "./graph.ts";
import { pythonJsonDumps } from "./python-format.ts";

export interface RetryConfig {
  enabled: boolean;
  maxRetries: number;
  intervalMs: number;
}

export type ErrorStrategy = "fail-branch" | "default-value" | null;

export function retryConfig(node: GraphNode): RetryConfig {
  const config = node.data.retry_config as { retry_enabled?: boolean; max_retries?: number; retry_interval?: number } | undefined;
  return {
    enabled: config?.retry_enabled === true,
    maxRetries: config?.max_retries ?? 0,
    intervalMs: config?.retry_interval ?? 0,
  };
}

export function errorStrategy(node: GraphNode): ErrorStrategy {
  const strategy = node.data.error_strategy;
  return strategy === "fail-branch" || strategy === "default-value" ? strategy : null;
}

function coerceDefault(type: unknown, value: unknown, key: string): unknown {
  if (type === "number") {
    const number = typeof value === "string" ? Number(value) : value;
    if (typeof number !== "number" || Number.isNaN(number)) throw new Error(`Invalid default value for ${key}: not a number`);
    return number;
  }
  if (type === "object" || (typeof type === "string" && type.startsWith("array"))) {
    let parsed = value;
    if (typeof value === "string") {
      try {
        parsed = JSON.parse(value);
      } catch {
        throw new Error(`Invalid default value for ${key}: not valid JSON`);
      }
    }
    if (type === "object" && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))) {
      throw new Error(`Invalid default value for ${key}: expected an object`);
    }
    if (type !== "object" && !Array.isArray(parsed)) throw new Error(`Invalid default value for ${key}: expected an array`);
    const elementChecks: Record<string, (item: unknown) => boolean> = {
      "array[number]": (item) => typeof item === "number",
      "array[string]": (item) => typeof item === "string",
      "array[object]": (item) => typeof item === "object" && item !== null && !Array.isArray(item),
    };
    const check = elementChecks[type as string];
    if (check && !(parsed as unknown[]).every(check)) throw new Error(`Invalid default value for ${key}: wrong element type`);
    return parsed;
  }
  if (type === "string" && typeof value !== "string") return typeof value === "object" ? pythonJsonDumps(value) : String(value);
  return value;
}

/** The outputs a `default-value` node completes with: its defaults plus the error. */
export function defaultValueOutputs(node: GraphNode, error: string, errorType: string): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  const defaults = Array.isArray(node.data.default_value) ? node.data.default_value : [];
  for (const entry of defaults as Array<{ key?: unknown; type?: unknown; value?: unknown }>) {
    if (typeof entry?.key !== "string") continue;
    outputs[entry.key] = coerceDefault(entry.type, entry.value, entry.key);
  }
  return { ...outputs, error_message: error, error_type: errorType };
}
