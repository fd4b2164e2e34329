/**
 * The if-else condition operators (§2.7, graphon's ConditionProcessor), with Python's rules:
 * truthiness for `empty`, `int()`/`float()`/`bool()` coercions of the expected value, and
 * per-file sub-conditions for `array[file]` variables. A type mismatch fails the node.
 */
import { pythonRepr } from "../python-format.ts";
import { fileAttribute, isFile, type Segment, type WorkflowFile } from "../segments.ts";
import { renderText } from "../template.ts";
import type { VariablePool } from "../variable-pool.ts";
import { NodeFailure } from "./node.ts";

export interface SubCondition {
  key: string;
  comparison_operator: string;
  value?: unknown;
}

export interface Condition {
  variable_selector: string[];
  comparison_operator: string;
  value?: unknown;
  sub_variable_condition?: { logical_operator?: string; conditions?: SubCondition[] };
}

/** Python truthiness, which `empty` / `not empty` use: 0 and False are empty too. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return isFile(value) || Object.keys(value).length > 0;
  return true;
}

function typeError(message: string): NodeFailure {
  return new NodeFailure(message, "ValueError");
}

/** Python `int(x)`: whole-number strings only. */
function pythonInt(expected: unknown): number {
  if (typeof expected === "number") return Math.trunc(expected);
  if (typeof expected === "boolean") return expected ? 1 : 0;
  if (typeof expected === "string" && /^\s*[+-]?\d+\s*$/.test(expected)) return Number(expected);
  throw typeError(`invalid literal for int() with base 10: ${pythonRepr(expected)}`);
}

/** Python `float(x)`. */
function pythonFloatOf(expected: unknown): number {
  if (typeof expected === "number") return expected;
  if (typeof expected === "boolean") return expected ? 1 : 0;
  if (typeof expected === "string" && expected.trim() !== "") {
    const number = Number(expected);
    if (!Number.isNaN(number)) return number;
  }
  throw typeError(`could not convert string to float: ${pythonRepr(expected)}`);
}

/** §2.7: for boolean variables the expected value is read as JSON (`"true"`, `"1"`, `1`). */
function expectedBoolean(expected: unknown): unknown {
  if (typeof expected === "boolean") return expected;
  if (typeof expected === "number") return expected !== 0;
  if (typeof expected === "string") {
    const word = expected.trim().toLowerCase();
    if (word === "true" || word === "1") return true;
    if (word === "false" || word === "0") return false;
  }
  if (Array.isArray(expected)) return expected.map(expectedBoolean);
  return expected;
}

function pythonEquals(a: unknown, b: unknown): boolean {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

const includes = (list: unknown[], item: unknown) => list.some((element) => pythonEquals(element, item));

function requireNumber(value: unknown, operator: string): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "number") throw typeError(`Invalid actual value type: number (operator ${operator})`);
  return value;
}

/** Applies one operator to an actual value and an already resolved expected value. */
export function compare(operator: string, value: unknown, expected: unknown): boolean {
  switch (operator) {
    case "contains":
    case "not contains": {
      const negate = operator === "not contains";
      if (!isTruthy(value)) return negate;
      let found: boolean;
      if (typeof value === "string") found = value.includes(typeof expected === "string" ? expected : String(expected ?? ""));
      else if (Array.isArray(value)) found = includes(value, expected);
      else throw typeError(`Invalid actual value type: string or array (operator ${operator})`);
      return negate ? !found : found;
    }
    case "start with":
    case "end with": {
      if (!isTruthy(value)) return false;
      if (typeof value !== "string") throw typeError(`Invalid actual value type: string (operator ${operator})`);
      const text = String(expected ?? "");
      return operator === "start with" ? value.startsWith(text) : value.endsWith(text);
    }
    case "is":
    case "is not": {
      if (value === null || value === undefined) return false;
      if (typeof value !== "string" && typeof value !== "boolean") {
        throw typeError(`Invalid actual value type: string or boolean (operator ${operator})`);
      }
      const equal = value === expected;
      return operator === "is" ? equal : !equal;
    }
    case "empty":
      return !isTruthy(value);
    case "not empty":
      return isTruthy(value);
    case "in":
    case "not in": {
      if (operator === "not in" && !isTruthy(value)) return true;
      if (!Array.isArray(expected)) throw typeError(`Invalid expected value type: array (operator ${operator})`);
      const found = includes(expected, value);
      return operator === "in" ? found : !found;
    }
    case "all of": {
      if (!Array.isArray(value)) throw typeError(`Invalid actual value type: array (operator ${operator})`);
      if (!Array.isArray(expected)) throw typeError(`Invalid expected value type: array (operator ${operator})`);
      return expected.every((item) => includes(value, item));
    }
    case "=":
    case "≠": {
      if (value === null || value === undefined) return false;
      let coerced: unknown;
      if (typeof value === "boolean") coerced = isTruthy(expected);
      else if (typeof value === "number") coerced = Number.isInteger(value) ? pythonInt(expected) : pythonFloatOf(expected);
      else throw typeError(`Invalid actual value type: number or boolean (operator ${operator})`);
      return operator === "=" ? value === coerced : value !== coerced;
    }
    case ">":
    case "<":
    case "≥":
    case "≤": {
      if (value === null || value === undefined) return false;
      const actual = requireNumber(value, operator);
      const target = pythonFloatOf(expected);
      if (operator === ">") return actual > target;
      if (operator === "<") return actual < target;
      return operator === "≥" ? actual >= target : actual <= target;
    }
    case "null":
    case "not exists":
      return value === null || value === undefined;
    case "not null":
    case "exists":
      return value !== null && value !== undefined;
    default:
      throw typeError(`Unsupported comparison operator: ${operator}`);
  }
}

function resolveExpected(expected: unknown, pool: VariablePool): unknown {
  if (typeof expected === "string") return renderText(expected, pool);
  if (Array.isArray(expected)) return expected.map((item) => (typeof item === "string" ? renderText(item, pool) : item));
  return expected;
}

function subConditionHolds(files: WorkflowFile[], condition: SubCondition): boolean {
  let expected = condition.value;
  const normalise = (value: unknown) =>
    condition.key === "extension" && typeof value === "string" && value !== "" && !value.startsWith(".") ? `.${value}` : value;
  expected = Array.isArray(expected) ? expected.map(normalise) : normalise(expected);
  const results = files.map((file) => compare(condition.comparison_operator, normalise(fileAttribute(file, condition.key)), expected));
  return condition.comparison_operator.includes("not") ? results.every(Boolean) : results.some(Boolean);
}

/** Evaluates one condition against the pool; a missing variable fails the node. */
export function evaluateCondition(condition: Condition, pool: VariablePool): boolean {
  const segment: Segment | undefined = pool.get(condition.variable_selector);
  if (!segment) throw new NodeFailure(`Variable ${pythonRepr(condition.variable_selector)} not found`, "ValueError");
  const { value } = segment;
  const subConditions = condition.sub_variable_condition?.conditions;
  if (
    Array.isArray(subConditions) &&
    subConditions.length > 0 &&
    ["contains", "not contains", "all of"].includes(condition.comparison_operator) &&
    Array.isArray(value) &&
    value.every(isFile)
  ) {
    const results = subConditions.map((sub) => subConditionHolds(value, sub));
    return condition.sub_variable_condition?.logical_operator === "or" ? results.some(Boolean) : results.every(Boolean);
  }
  let expected = resolveExpected(condition.value, pool);
  if (segment.type === "boolean" || segment.type === "array[boolean]") expected = expectedBoolean(expected);
  return compare(condition.comparison_operator, value, expected);
}
