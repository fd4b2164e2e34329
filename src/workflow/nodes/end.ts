/**
 * `end` (§2.2, §1.7): the run's outputs in workflow mode; each declared output reads its
 * selector, a missing value is `null`. The same dict is the node's inputs and outputs.
 */
import type { NodeRunner } from "./node.ts";

export const endNode: NodeRunner = {
  async run({ node, pool }) {
    const outputs: Record<string, unknown> = {};
    const declared = Array.isArray(node.data.outputs) ? node.data.outputs : [];
    for (const output of declared as Array<{ variable?: unknown; value_selector?: unknown }>) {
      if (typeof output?.variable !== "string") continue;
      const selector = Array.isArray(output.value_selector) ? output.value_selector.map(String) : [];
      outputs[output.variable] = pool.getValue(selector);
    }
    return { inputs: outputs, outputs };
  },
};
