/**
 * `assigner` (§2.13): writes conversation variables (and loop variables). Version 1 has one
 * target and a write mode; version 2 a list of operations per target type. Items apply in order
 * to a working copy; any invalid item fails the node with nothing written. Each changed variable
 * is returned as an update, which the engine applies and reports as `variable_updated`.
 */
import { isArrayType, isNumberType, toSegment, valueFitsType, zeroValue, type Segment } from "../segments.ts";
import type { VariablePool } from "../variable-pool.ts";
import { NodeFailure, readSelector, type NodeRunner, type VariableUpdate } from "./node.ts";

const fail = (message: string) => new NodeFailure(message, "VariableOperatorNodeError");

/** The new segment keeps the variable's declared type; numbers switch between int and float. */
function updatedSegment(target: Segment, value: unknown): Segment {
  if (isNumberType(target.type)) return toSegment(value);
  return { type: target.type, value };
}

interface Item {
  variable_selector?: unknown;
  input_type?: unknown;
  operation?: unknown;
  value?: unknown;
}

function applyOperation(target: Segment, operation: string, input: unknown, inputIsConstant: boolean, name: string): unknown {
  const type = target.type;
  const unsupported = () => fail(`Operation ${operation} is not supported for variable ${name} of type ${type}`);
  const invalid = () => fail(`Invalid input value for variable ${name} (operation ${operation})`);
  const constantAllowed = isNumberType(type) || type === "string" || type === "object" || type === "boolean";
  switch (operation) {
    case "over-write":
      if (inputIsConstant && !constantAllowed) throw fail(`Constant input is not supported for variable ${name} of type ${type}`);
      if (!valueFitsType(type, input)) throw invalid();
      return input;
    case "clear":
      return zeroValue(type);
    case "set": {
      if (!constantAllowed) throw unsupported();
      if (!inputIsConstant) throw fail(`Operation set on variable ${name} needs a constant input`);
      let value = input;
      if (type === "object" && typeof value === "string") {
        try {
          value = JSON.parse(value);
        } catch {
          throw invalid();
        }
      }
      if (!valueFitsType(type, value)) throw invalid();
      return value;
    }
    case "+=":
    case "-=":
    case "*=":
    case "/=": {
      if (!isNumberType(type)) throw unsupported();
      if (!inputIsConstant) throw fail(`Operation ${operation} on variable ${name} needs a constant input`);
      const operand = typeof input === "string" && input.trim() !== "" ? Number(input) : input;
      if (typeof operand !== "number" || Number.isNaN(operand)) throw invalid();
      const current = target.value as number;
      if (operation === "+=") return current + operand;
      if (operation === "-=") return current - operand;
      if (operation === "*=") return current * operand;
      if (operand === 0) throw fail(`Division by zero for variable ${name}`);
      return current / operand;
    }
    case "append":
      if (!isArrayType(type)) throw unsupported();
      if (!valueFitsType(type, [input])) throw invalid();
      return [...(target.value as unknown[]), input];
    case "extend":
      if (!isArrayType(type)) throw unsupported();
      if (!valueFitsType(type, input)) throw invalid();
      return [...(target.value as unknown[]), ...(input as unknown[])];
    case "remove-first":
    case "remove-last":
      if (!isArrayType(type)) throw unsupported();
      return operation === "remove-first" ? (target.value as unknown[]).slice(1) : (target.value as unknown[]).slice(0, -1);
    default:
      throw fail(`Unsupported operation: ${operation}`);
  }
}

/** Version 1's single write as a version 2 item. */
function versionOneItems(data: Record<string, unknown>): Item[] {
  const mode = data.write_mode ?? "over-write";
  return [
    {
      variable_selector: data.assigned_variable_selector,
      input_type: "variable",
      operation: mode,
      value: mode === "clear" ? undefined : data.input_variable_selector,
    },
  ];
}

function resolveInput(item: Item, operation: string, pool: VariablePool): { skip: boolean; value: unknown; constant: boolean } {
  if (["clear", "remove-first", "remove-last"].includes(operation)) return { skip: false, value: undefined, constant: false };
  if (item.input_type === "constant") return { skip: false, value: item.value, constant: true };
  const selector = readSelector(item.value, "input variable selector");
  const segment = pool.get(selector);
  return { skip: segment === undefined || segment.type === "none", value: segment?.value, constant: false };
}

export const assignerNode: NodeRunner = {
  async run({ node, pool }) {
    const version = String(node.data.version ?? "1");
    const items = version === "1" ? versionOneItems(node.data) : ((Array.isArray(node.data.items) ? node.data.items : []) as Item[]);
    const working = new Map<string, { selector: [string, string]; segment: Segment }>();
    for (const item of items) {
      const selector = readSelector(item.variable_selector, "assigned variable selector");
      const key = `${selector[0]}.${selector[1]}`;
      const target = working.get(key)?.segment ?? pool.get(selector.slice(0, 2));
      if (!target) throw fail(`Variable ${key} not found`);
      const operation = String(item.operation ?? "over-write");
      const input = resolveInput(item, operation, pool);
      if (input.skip) {
        // §2.13: v2 skips an item whose variable input resolves to nothing; v1 must have one.
        if (version === "1") throw fail(`Input variable of ${key} not found`);
        continue;
      }
      const value = applyOperation(target, operation, input.value, input.constant, key);
      working.set(key, { selector: [selector[0]!, selector[1]!], segment: updatedSegment(target, value) });
    }
    const updates: VariableUpdate[] = [...working.values()];
    return {
      processData: {
        __updated_variables: updates.map((update) => ({
          name: update.selector[1],
          selector: update.selector,
          value_type: update.segment.type,
          new_value: update.segment.value,
        })),
      },
      outputs: {},
      variableUpdates: updates,
    };
  },
};
