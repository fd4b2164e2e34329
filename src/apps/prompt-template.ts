/**
 * Dify's easy-UI prompt placeholders: `{{name}}` is replaced by the input of that name (names are
 * `[A-Za-z_][A-Za-z0-9_]{0,29}`); an unknown name stays as written. The special `{{#…#}}` forms
 * (`#histories#`, `#query#`, `#context#`) are left for the caller.
 */
const INPUT_PLACEHOLDER = /\{\{([a-zA-Z_][a-zA-Z0-9_]{0,29})\}\}/g;

export function renderInputs(template: string, inputs: Record<string, unknown>): string {
  return template.replace(INPUT_PLACEHOLDER, (whole, name: string) => {
    if (!(name in inputs)) return whole;
    const value = inputs[name];
    if (value === null || value === undefined) return "";
    return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}
