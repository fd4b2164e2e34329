/**
 * The `variables: [{variable, value_selector}]` list of code, template-transform and LLM jinja2
 * prompts, resolved to plain values (§3.6): a missing variable is `null`, an empty file list too.
 */
import type { VariablePool } from "../variable-pool.ts";

export function resolveVariables(variables: unknown, pool: VariablePool): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  if (!Array.isArray(variables)) return resolved;
  for (const item of variables as Array<{ variable?: unknown; value_selector?: unknown }>) {
    if (typeof item?.variable !== "string") continue;
    const selector = Array.isArray(item.value_selector) ? item.value_selector.map(String) : [];
    const segment = pool.get(selector);
    resolved[item.variable] = segment?.type === "array[file]" && (segment.value as unknown[]).length === 0 ? null : (segment?.value ?? null);
  }
  return resolved;
}
