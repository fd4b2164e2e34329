/**
 * Input validation for easy-UI apps (§5.1): the `user_input_form` items (`{<type>: {...}}`) are
 * the same form fields a workflow's Start node declares, so both go through the engine's
 * `prepareUserInputs` and give Dify's messages word for word.
 */
import type { App } from "../store/schema";
import { prepareUserInputs, type StartVariable } from "../workflow/nodes/start-inputs";

export function formVariables(app: App): StartVariable[] {
  const form = (app.modelConfig?.user_input_form as unknown[] | undefined) ?? [];
  const variables: StartVariable[] = [];
  for (const item of form) {
    if (typeof item !== "object" || item === null) continue;
    const [type, definition] = Object.entries(item)[0] ?? [];
    if (!type || typeof definition !== "object" || definition === null) continue;
    const variable = definition as StartVariable;
    if (typeof variable.variable === "string") variables.push({ ...variable, type });
  }
  return variables;
}

export function prepareAppInputs(app: App, inputs: Record<string, unknown>): Record<string, unknown> {
  return prepareUserInputs(formVariables(app), inputs);
}
