/**
 * `variable-aggregator` (§2.12; legacy type name `variable-assigner`): outputs the first listed
 * selector that has a value, which after exclusive branches is the branch that ran. Group mode
 * outputs `{<group_name>: {output}}` per group. Nothing resolving is not an error.
 */
import type { VariablePool } from "../variable-pool.ts";
import type { NodeRunner } from "./node.ts";

function firstResolving(pool: VariablePool, selectors: unknown): unknown {
  if (!Array.isArray(selectors)) return undefined;
  for (const selector of selectors) {
    if (!Array.isArray(selector)) continue;
    const segment = pool.get(selector.map(String));
    if (segment) return segment.value;
  }
  return undefined;
}

export const variableAggregatorNode: NodeRunner = {
  async run({ node, pool }) {
    const outputs: Record<string, unknown> = {};
    const settings = node.data.advanced_settings as { group_enabled?: boolean; groups?: unknown } | undefined;
    if (settings?.group_enabled && Array.isArray(settings.groups)) {
      for (const group of settings.groups as Array<{ group_name?: unknown; variables?: unknown }>) {
        if (typeof group?.group_name !== "string") continue;
        const value = firstResolving(pool, group.variables);
        if (value !== undefined) outputs[group.group_name] = { output: value };
      }
    } else {
      const value = firstResolving(pool, node.data.variables);
      if (value !== undefined) outputs.output = value;
    }
    return { outputs };
  },
};
