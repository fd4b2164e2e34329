import { describe, expect, test } from "bun:test";
import { compare, evaluateCondition } from "../../src/workflow/nodes/conditions.ts";
import type { WorkflowFile } from "../../src/workflow/segments.ts";
import { VariablePool } from "../../src/workflow/variable-pool.ts";

const png: WorkflowFile = { dify_model_identity: "__dify__file__", type: "image", transfer_method: "local_file", filename: "a.png", extension: ".png" };
const pdf: WorkflowFile = { ...png, type: "document", filename: "b.pdf", extension: ".pdf" };

describe("if-else operators (§2.7)", () => {
  test.each([
    ["contains", "hello", "ell", true],
    ["contains", ["a", "b"], "b", true],
    ["contains", "", "x", false],
    ["not contains", "hello", "z", true],
    ["not contains", "", "x", true],
    ["not contains", ["a"], "a", false],
    ["start with", "hello", "he", true],
    ["start with", null, "he", false],
    ["end with", "hello", "lo", true],
    ["is", "a", "a", true],
    ["is", null, "a", false],
    ["is not", "a", "b", true],
    ["is not", null, "b", false],
    ["empty", 0, null, true],
    ["empty", false, null, true],
    ["empty", {}, null, true],
    ["empty", "x", null, false],
    ["not empty", [1], null, true],
    ["in", "b", ["a", "b"], true],
    ["not in", "c", ["a", "b"], true],
    ["not in", "", ["a"], true],
    ["all of", ["a", "b", "c"], ["a", "c"], true],
    ["all of", ["a"], ["a", "c"], false],
    ["=", 5, "5", true],
    ["=", 5.5, "5.5", true],
    ["≠", 5, "6", true],
    ["≠", null, "6", false],
    [">", 6, "5.5", true],
    ["<", 6, "5.5", false],
    ["≥", 5, "5", true],
    ["≤", 5, 4, false],
    [">", null, "1", false],
    ["null", null, null, true],
    ["not null", 0, null, true],
    ["exists", png, null, true],
    ["not exists", null, null, true],
  ])("%s: %p vs %p → %p", (operator, value, expected, result) => {
    expect(compare(operator, value, expected)).toBe(result);
  });

  test("type errors fail the node", () => {
    expect(() => compare(">", "abc", "1")).toThrow("Invalid actual value type");
    expect(() => compare("=", 5, "5.5")).toThrow("invalid literal for int()");
    expect(() => compare("start with", 5, "5")).toThrow("Invalid actual value type");
    expect(() => compare("bogus", 5, "5")).toThrow("Unsupported comparison operator");
  });

  test("booleans read the expected value as JSON; templates resolve in expected values", () => {
    const pool = new VariablePool();
    pool.add(["n", "flag"], true);
    pool.add(["n", "name"], "Ada");
    pool.add(["n", "greeting"], "hello Ada");
    expect(evaluateCondition({ variable_selector: ["n", "flag"], comparison_operator: "is", value: "true" }, pool)).toBe(true);
    expect(evaluateCondition({ variable_selector: ["n", "flag"], comparison_operator: "=", value: "0" }, pool)).toBe(false);
    expect(evaluateCondition({ variable_selector: ["n", "greeting"], comparison_operator: "end with", value: "{{#n.name#}}" }, pool)).toBe(true);
  });

  test("array[file] sub-conditions: any file for positive operators, all files for negative ones", () => {
    const pool = new VariablePool();
    pool.add(["sys", "files"], [png, pdf]);
    const condition = (key: string, operator: string, value: unknown) => ({
      variable_selector: ["sys", "files"],
      comparison_operator: "contains",
      sub_variable_condition: { logical_operator: "and", conditions: [{ key, comparison_operator: operator, value }] },
    });
    expect(evaluateCondition(condition("type", "in", ["image"]), pool)).toBe(true);
    expect(evaluateCondition(condition("type", "not in", ["image"]), pool)).toBe(false);
    expect(evaluateCondition(condition("extension", "is", "pdf"), pool)).toBe(true);
    expect(evaluateCondition(condition("name", "not contains", "zzz"), pool)).toBe(true);
  });
});
