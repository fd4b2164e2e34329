/**
 * Validation of a code node's returned object against its declared outputs (§2.8): every key
 * present, no extra keys, types and Dify's size limits (numbers within ±2^63−1, strings ≤ 80,000
 * characters, arrays ≤ 1,000 numbers / 30 strings / 30 objects, objects ≤ 5 deep). `null` is
 * accepted for any type; booleans are not checked; booleans given for numbers become 0/1.
 */
import { NodeFailure } from "./node.ts";

export interface OutputDeclaration {
  type: string;
  children?: Record<string, OutputDeclaration> | null;
}

export const CODE_LIMITS = {
  maxNumber: 9223372036854775807,
  maxStringLength: 80_000,
  maxNumberArrayLength: 1000,
  maxStringArrayLength: 30,
  maxObjectArrayLength: 30,
  maxDepth: 5,
};

const fail = (message: string) => new NodeFailure(message, "OutputValidationError");

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (isPlainObject(value)) return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

function checkNumber(value: unknown, name: string): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "number" || Number.isNaN(value)) throw fail(`Output variable \`${name}\` must be a number`);
  if (value > CODE_LIMITS.maxNumber || value < -CODE_LIMITS.maxNumber) {
    throw fail(`Output variable \`${name}\` is out of range, it must be between -${CODE_LIMITS.maxNumber} and ${CODE_LIMITS.maxNumber}.`);
  }
  return value;
}

function checkString(value: unknown, name: string): string {
  if (typeof value !== "string") throw fail(`Output variable \`${name}\` must be a string`);
  if (value.length > CODE_LIMITS.maxStringLength) {
    throw fail(`The length of output variable \`${name}\` must be less than ${CODE_LIMITS.maxStringLength} characters`);
  }
  return value.replaceAll("\u0000", "");
}

function checkArray(value: unknown, name: string, limit: number): unknown[] {
  if (!Array.isArray(value)) throw fail(`Output variable \`${name}\` must be an array`);
  if (value.length > limit) throw fail(`The length of output variable \`${name}\` must be less than ${limit} elements.`);
  return value;
}

function checkValue(value: unknown, declaration: OutputDeclaration, name: string): unknown {
  if (value === null || value === undefined) return null;
  switch (declaration.type) {
    case "string":
      return checkString(value, name);
    case "number":
      return checkNumber(value, name);
    case "boolean":
      return value;
    case "object": {
      if (!isPlainObject(value)) throw fail(`Output variable \`${name}\` must be an object`);
      if (depthOf(value) > CODE_LIMITS.maxDepth) throw fail(`Depth limit ${CODE_LIMITS.maxDepth} reached, object too deep.`);
      return declaration.children ? validateOutputs(value, declaration.children, `${name}.`) : value;
    }
    case "array[number]":
      return checkArray(value, name, CODE_LIMITS.maxNumberArrayLength).map((item, index) =>
        item === null ? null : checkNumber(item, `${name}[${index}]`),
      );
    case "array[string]":
      return checkArray(value, name, CODE_LIMITS.maxStringArrayLength).map((item, index) =>
        item === null ? null : checkString(item, `${name}[${index}]`),
      );
    case "array[object]":
      return checkArray(value, name, CODE_LIMITS.maxObjectArrayLength).map((item, index) => {
        if (item === null) return null;
        if (!isPlainObject(item)) throw fail(`Output variable \`${name}[${index}]\` must be an object`);
        if (depthOf(item) > CODE_LIMITS.maxDepth) throw fail(`Depth limit ${CODE_LIMITS.maxDepth} reached, object too deep.`);
        return declaration.children ? validateOutputs(item, declaration.children, `${name}[${index}].`) : item;
      });
    case "array[boolean]":
      return checkArray(value, name, Number.POSITIVE_INFINITY);
    default:
      return value;
  }
}

/** Validates and normalises the returned object; throws a NodeFailure naming the first problem. */
export function validateOutputs(
  result: unknown,
  declarations: Record<string, OutputDeclaration>,
  prefix = "",
): Record<string, unknown> {
  if (!isPlainObject(result)) throw fail("Output must be a dict/object");
  const validated: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(declarations)) {
    if (!Object.hasOwn(result, name)) throw fail(`Output ${prefix}${name} is missing.`);
    validated[name] = checkValue(result[name], declaration, `${prefix}${name}`);
  }
  if (Object.keys(result).some((key) => !Object.hasOwn(declarations, key))) throw fail("Not all output parameters are validated.");
  return validated;
}
