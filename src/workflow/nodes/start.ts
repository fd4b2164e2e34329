/**
 * `start` (§2.1): the user inputs were placed in the pool before the run; the node checks
 * `json_object` inputs against their schema and outputs the inputs plus every `sys.*`, `env.*`
 * and `conversation.*` variable flattened as `"sys.query"` etc., which old DSLs read as
 * `[startId, "sys.query"]`.
 */
import { validateJsonSchema } from "../json-schema.ts";
import { NodeFailure, type NodeRunner } from "./node.ts";
import { startVariables } from "./start-inputs.ts";

export const startNode: NodeRunner = {
  async run({ node, pool }) {
    const inputs: Record<string, unknown> = {};
    for (const [name, segment] of pool.entries(node.id)) inputs[name] = segment.value;
    for (const variable of startVariables(node.data)) {
      if (variable.type !== "json_object" || !variable.json_schema || inputs[variable.variable] == null) continue;
      let problem: string | null;
      try {
        problem = validateJsonSchema(variable.json_schema, inputs[variable.variable]);
      } catch (error) {
        throw new NodeFailure(`Invalid json_schema of ${variable.variable}: ${(error as Error).message}`, "ValueError", inputs);
      }
      if (problem) throw new NodeFailure(`${variable.variable} does not match its JSON schema: ${problem}`, "ValueError", inputs);
    }
    const outputs: Record<string, unknown> = { ...inputs };
    for (const namespace of ["sys", "env", "conversation"]) {
      for (const [name, segment] of pool.entries(namespace)) outputs[`${namespace}.${name}`] = segment.value;
    }
    return { inputs, outputs };
  },
};
