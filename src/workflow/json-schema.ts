/**
 * Draft-7 JSON Schema validation for `json_object` start inputs and LLM structured output, with
 * ajv (the maintained reference validator) rather than a hand-written subset. Compiled schemas
 * are cached by their text since the same node runs many times.
 */
import Ajv from "ajv";

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new Map<string, ReturnType<Ajv["compile"]>>();

/** Validates a value; returns `null` when it conforms, else a one-line reason. */
export function validateJsonSchema(schema: unknown, value: unknown): string | null {
  const schemaObject = typeof schema === "string" ? (JSON.parse(schema) as unknown) : schema;
  if (typeof schemaObject !== "object" || schemaObject === null) return null;
  const key = JSON.stringify(schemaObject);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schemaObject);
    compiled.set(key, validate);
  }
  if (validate(value)) return null;
  const [first] = validate.errors ?? [];
  return first ? `${first.instancePath || "value"} ${first.message ?? "is invalid"}` : "value is invalid";
}
