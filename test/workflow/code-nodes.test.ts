import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NodeFailure } from "../../src/workflow/nodes/node.ts";
import { VariablePool } from "../../src/workflow/variable-pool.ts";
import { closeSandbox, runNode, sandbox } from "./harness.ts";

beforeAll(() => sandbox().warmUp(), 60_000);
afterAll(closeSandbox);

function pool(): VariablePool {
  const variables = new VariablePool();
  variables.add(["start", "a"], 2);
  variables.add(["start", "name"], "Ada");
  variables.add(["start", "items"], [{ title: "x" }, { title: "y" }]);
  return variables;
}

const variables = [
  { variable: "a", value_selector: ["start", "a"] },
  { variable: "name", value_selector: ["start", "name"] },
  { variable: "missing", value_selector: ["start", "nope"] },
];

async function failure(promise: Promise<unknown>): Promise<NodeFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NodeFailure) return error;
    throw error;
  }
  throw new Error("the node succeeded");
}

describe("code node (§2.8)", () => {
  test("python3 gets keyword arguments, missing variables as None", async () => {
    const { result } = await runNode(
      "code",
      {
        code_language: "python3",
        code: "def main(a, name, missing):\n    return {'out': f'{name}:{a * 2}:{missing}', 'n': a / 4, 'flag': True}\n",
        variables,
        outputs: { out: { type: "string" }, n: { type: "number" }, flag: { type: "boolean" } },
      },
      pool(),
    );
    expect(result.outputs).toEqual({ out: "Ada:4:None", n: 0.5, flag: true });
    expect(result.inputs).toEqual({ a: 2, name: "Ada", missing: null });
  });

  test("javascript gets one object; nested object outputs are checked", async () => {
    const { result } = await runNode(
      "code",
      {
        code_language: "javascript",
        code: "function main({a, name}) { return {obj: {n: a + 1, who: name}, list: [name, name]}; }",
        variables,
        outputs: { obj: { type: "object", children: { n: { type: "number" }, who: { type: "string" } } }, list: { type: "array[string]" } },
      },
      pool(),
    );
    expect(result.outputs).toEqual({ obj: { n: 3, who: "Ada" }, list: ["Ada", "Ada"] });
  });

  test.each([
    ["function main() { return {}; }", { r: { type: "string" } }, "Output r is missing."],
    ["function main() { return {r: 'x', extra: 1}; }", { r: { type: "string" } }, "Not all output parameters are validated."],
    ["function main() { return {r: 5}; }", { r: { type: "string" } }, "Output variable `r` must be a string"],
    ["function main() { return {r: 'x'}; }", { r: { type: "number" } }, "Output variable `r` must be a number"],
    [
      "function main() { return {r: Array.from({length: 31}, (_, i) => String(i))}; }",
      { r: { type: "array[string]" } },
      "The length of output variable `r` must be less than 30 elements.",
    ],
    [
      "function main() { return {r: {a: {b: {c: {d: {e: {f: 1}}}}}}}; }",
      { r: { type: "object" } },
      "Depth limit 5 reached, object too deep.",
    ],
    ["function main() { return {r: 'x'.repeat(80001)}; }", { r: { type: "string" } }, "must be less than 80000 characters"],
  ])("output validation: %s", async (code, outputs, message) => {
    const error = await failure(runNode("code", { code_language: "javascript", code, variables: [], outputs }, pool()));
    expect(error.message).toContain(message);
    expect(error.errorType).toBe("OutputValidationError");
  });

  test("a raising program fails the node with the sandbox's message", async () => {
    const error = await failure(
      runNode("code", { code_language: "python3", code: "def main():\n    raise ValueError('nope')\n", variables: [], outputs: {} }, pool()),
    );
    expect(error.message).toContain("nope");
  });

  test("booleans given for numbers become 0/1; None passes any type", async () => {
    const { result } = await runNode(
      "code",
      { code_language: "python3", code: "def main():\n    return {'n': True, 's': None}\n", variables: [], outputs: { n: { type: "number" }, s: { type: "string" } } },
      pool(),
    );
    expect(result.outputs).toEqual({ n: 1, s: null });
  });
});

describe("template-transform (§2.9)", () => {
  test("renders Jinja2 with the node's variables", async () => {
    const { result } = await runNode(
      "template-transform",
      {
        template: "{{ name | upper }} has {% for i in items %}{{ i.title }}{% if not loop.last %}, {% endif %}{% endfor %} ({{ missing }})",
        variables: [...variables, { variable: "items", value_selector: ["start", "items"] }],
      },
      pool(),
    );
    expect(result.outputs).toEqual({ output: "ADA has x, y (None)" });
  });

  test("a template error fails the node", async () => {
    const error = await failure(runNode("template-transform", { template: "{% for %}", variables: [] }, pool()));
    expect(error.errorType).toBe("TemplateTransformError");
  });
});
