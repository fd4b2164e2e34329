/**
 * `code` (§2.8): runs python3 or javascript `main` in the sandbox with the node's variables and
 * validates what it returns against the declared outputs.
 */
import { validateOutputs, type OutputDeclaration } from "./code-output.ts";
import { NodeFailure, type NodeRunner } from "./node.ts";
import { resolveVariables } from "./node-variables.ts";

export const codeNode: NodeRunner = {
  retryable: true,
  async run({ node, pool, services, signal }) {
    const language = node.data.code_language;
    if (language !== "python3" && language !== "javascript") {
      throw new NodeFailure(`Unsupported code language: ${String(language)}`, "CodeNodeError");
    }
    const inputs = resolveVariables(node.data.variables, pool);
    let result: Record<string, unknown>;
    try {
      result = await services.sandbox.run({ language, code: String(node.data.code ?? ""), inputs, signal });
    } catch (error) {
      throw new NodeFailure(error instanceof Error ? error.message : String(error), "CodeExecutionError", inputs);
    }
    const declarations = (node.data.outputs ?? {}) as Record<string, OutputDeclaration>;
    try {
      return { inputs, outputs: validateOutputs(result, declarations) };
    } catch (error) {
      if (error instanceof NodeFailure) throw new NodeFailure(error.message, error.errorType, inputs);
      throw error;
    }
  },
};
