/**
 * Validation of a run's user inputs against the Start node's form (§2.1; service-api §5.1), done
 * before the run starts. Exported for the HTTP layer: the messages are Dify's, word for word,
 * and surface as 400 `invalid_param`. Files arrive already converted to File objects by the
 * files layer; this only checks their shape and count.
 */
import { invalidParam } from "../../errors.ts";
import { isFile } from "../segments.ts";

/** One Start-node form field as the DSL declares it. */
export interface StartVariable {
  variable: string;
  label?: string;
  type: string;
  required?: boolean;
  default?: unknown;
  max_length?: number | null;
  options?: string[];
  json_schema?: unknown;
  [key: string]: unknown;
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

/** Reads the Start node's form from a graph node's data. */
export function startVariables(data: Record<string, unknown>): StartVariable[] {
  const variables = Array.isArray(data.variables) ? data.variables : [];
  return variables.filter(
    (variable): variable is StartVariable =>
      typeof variable === "object" && variable !== null && typeof (variable as StartVariable).variable === "string",
  );
}

const stripNul = (text: string) => text.replaceAll("\u0000", "");

function deepStripNul(value: unknown): unknown {
  if (typeof value === "string") return stripNul(value);
  if (Array.isArray(value)) return value.map(deepStripNul);
  if (typeof value === "object" && value !== null && !isFile(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deepStripNul(item)]));
  }
  return value;
}

function validateOne(variable: StartVariable, raw: unknown): unknown {
  const name = variable.variable;
  let value = raw;
  if ((variable.type === "file" || variable.type === "file-list") && !variable.required && value === "") value = null;
  if (value === undefined || value === null) {
    if (variable.required) throw invalidParam(`${name} is required in input form`);
    return variable.default ?? null;
  }
  const isDict = typeof value === "object" && !Array.isArray(value);
  if (isDict && variable.type !== "file" && variable.type !== "json_object") {
    throw invalidParam(`Invalid input type for ${JSON.stringify([name])}`);
  }
  switch (variable.type) {
    case "text-input":
    case "paragraph":
    case "select": {
      if (typeof value !== "string") throw invalidParam(`(type '${variable.type}') ${name} in input form must be a string`);
      if (variable.type === "select") {
        const options = variable.options ?? [];
        if (!options.includes(value)) {
          throw invalidParam(`${name} in input form must be one of the following: [${options.map((option) => `'${option}'`).join(", ")}]`);
        }
      } else if (typeof variable.max_length === "number" && variable.max_length > 0 && value.length > variable.max_length) {
        throw invalidParam(`${name} in input form must be less than ${variable.max_length} characters`);
      }
      return stripNul(value);
    }
    case "number": {
      if (typeof value === "number") return value;
      if (typeof value === "string") {
        if (value.trim() === "") return null;
        const number = Number(value);
        if (Number.isNaN(number)) throw invalidParam(`${name} in input form must be a valid number`);
        return number;
      }
      throw invalidParam(`${name} in input form must be a valid number`);
    }
    case "checkbox": {
      if (typeof value === "string") {
        const word = value.toLowerCase();
        if (TRUE_WORDS.has(word)) return true;
        if (FALSE_WORDS.has(word)) return false;
      }
      if (value === 1) return true;
      if (value === 0) return false;
      return value;
    }
    case "json_object":
      if (!isDict) throw invalidParam(`${name} in input form must be an object`);
      return deepStripNul(value);
    case "file":
      if (!isFile(value)) throw invalidParam(`${name} in input form must be a file`);
      return value;
    case "file-list": {
      if (!Array.isArray(value) || !value.every(isFile)) throw invalidParam(`${name} in input form must be a list of files`);
      if (typeof variable.max_length === "number" && variable.max_length > 0 && value.length > variable.max_length) {
        throw invalidParam(`${name} in input form must be less than ${variable.max_length} files`);
      }
      return value;
    }
    default:
      return typeof value === "string" ? stripNul(value) : value;
  }
}

/**
 * Keeps the declared variables only (undeclared inputs are dropped), applies defaults and the
 * per-type rules, and returns every declared variable (null when missing). Throws `KilnError`
 * 400 `invalid_param` with Dify's message on the first bad value.
 */
export function prepareUserInputs(variables: StartVariable[], inputs: Record<string, unknown>): Record<string, unknown> {
  const prepared: Record<string, unknown> = {};
  for (const variable of variables) prepared[variable.variable] = validateOne(variable, inputs[variable.variable]);
  return prepared;
}
