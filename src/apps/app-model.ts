/**
 * The model an app answers with outside its main run (conversation names, suggested questions):
 * the easy-UI `model_config.model`, or for workflow-backed apps the first LLM node's model, since
 * Kiln has no workspace default model as Dify does.
 */
import type { ModelSpec } from "../workflow/services";
import type { Workflow, App } from "../store/schema";

type Json = Record<string, unknown>;

export function appModel(app: App, workflow: Workflow | undefined): ModelSpec | undefined {
  const model = workflow
    ? ((workflow.graph.nodes ?? []) as { data?: Json }[]).find((node) => node.data?.type === "llm")?.data?.model
    : app.modelConfig?.model;
  if (typeof model !== "object" || model === null) return undefined;
  const { provider, name, completion_params } = model as Json;
  if (typeof provider !== "string" || typeof name !== "string") return undefined;
  return { provider, name, completion_params: (completion_params as Json | undefined) ?? {} };
}
