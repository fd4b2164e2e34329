/**
 * `if-else` (§2.7, §1.6): cases in order, the first true case's `case_id` is the handle, else
 * `"false"` (ELSE). The loader already turned the legacy single-case shape into `cases`.
 */
import { evaluateCondition, type Condition } from "./conditions.ts";
import type { NodeRunner } from "./node.ts";

interface Case {
  case_id: string;
  logical_operator?: string;
  conditions?: Condition[];
}

export const ifElseNode: NodeRunner = {
  async run({ node, pool }) {
    const cases = (Array.isArray(node.data.cases) ? node.data.cases : []) as Case[];
    const caseResults: Array<{ case_id: string; result: boolean }> = [];
    for (const item of cases) {
      const conditions = Array.isArray(item.conditions) ? item.conditions : [];
      // and/or short-circuit like Python's all()/any().
      const result =
        item.logical_operator === "or"
          ? conditions.some((condition) => evaluateCondition(condition, pool))
          : conditions.every((condition) => evaluateCondition(condition, pool));
      caseResults.push({ case_id: item.case_id, result });
      if (result) {
        return {
          processData: { case_results: caseResults },
          outputs: { result: true, selected_case_id: item.case_id },
          edgeSourceHandle: item.case_id,
        };
      }
    }
    return {
      processData: { case_results: caseResults },
      outputs: { result: false, selected_case_id: "false" },
      edgeSourceHandle: "false",
    };
  },
};
