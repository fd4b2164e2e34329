/**
 * `template-transform` (§2.9): renders a Jinja2 template through the sandbox's jinja2 runner
 * with the node's variables; output `output`, failing above the maximum length.
 */
import { NodeFailure, type NodeRunner } from "./node.ts";
import { resolveVariables } from "./node-variables.ts";

/** graphon's default; older Dify configs used 80,000. */
export const TEMPLATE_TRANSFORM_MAX_LENGTH = 400_000;

export const templateTransformNode: NodeRunner = {
  async run({ node, pool, services, signal }) {
    const inputs = resolveVariables(node.data.variables, pool);
    let output: unknown;
    try {
      ({ output } = await services.sandbox.run({ language: "jinja2", code: String(node.data.template ?? ""), inputs, signal }));
    } catch (error) {
      throw new NodeFailure(error instanceof Error ? error.message : String(error), "TemplateTransformError", inputs);
    }
    const text = typeof output === "string" ? output : String(output ?? "");
    if (text.length > TEMPLATE_TRANSFORM_MAX_LENGTH) {
      throw new NodeFailure(`Output length exceeds ${TEMPLATE_TRANSFORM_MAX_LENGTH} characters`, "TemplateTransformError", inputs);
    }
    return { inputs, outputs: { output: text } };
  },
};
