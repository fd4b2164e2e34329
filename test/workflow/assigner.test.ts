import { describe, expect, test } from "bun:test";
import { NodeFailure } from "../../src/workflow/nodes/node.ts";
import { toSegment } from "../../src/workflow/segments.ts";
import { VariablePool } from "../../src/workflow/variable-pool.ts";
import { fixture, labels, record, runNode } from "./harness.ts";

function pool(): VariablePool {
  const variables = new VariablePool();
  variables.add(["conversation", "text"], "old");
  variables.add(["conversation", "n"], 10);
  variables.add(["conversation", "flag"], false);
  variables.add(["conversation", "obj"], { a: 1 });
  variables.add(["conversation", "words"], ["a", "b", "c"]);
  variables.add(["conversation", "nums"], [1, 2]);
  variables.add(["conversation", "objs"], [{ k: 1 }]);
  variables.add(["conversation", "empty"], [], "array[string]");
  variables.add(["src", "word"], "z");
  variables.add(["src", "words"], ["x", "y"]);
  variables.add(["src", "number"], 7);
  return variables;
}

async function assign(items: unknown[]) {
  const variables = pool();
  const { result } = await runNode("assigner", { version: "2", items }, variables);
  return Object.fromEntries((result.variableUpdates ?? []).map((update) => [update.selector[1], update.segment]));
}

const constant = (name: string, operation: string, value?: unknown) => ({
  variable_selector: ["conversation", name],
  input_type: "constant",
  operation,
  value,
});
const variable = (name: string, operation: string, selector: string[]) => ({
  variable_selector: ["conversation", name],
  input_type: "variable",
  operation,
  value: selector,
});

describe("assigner v2 operations (§2.13)", () => {
  test.each([
    [constant("text", "over-write", "new"), "text", "new"],
    [constant("text", "set", "set!"), "text", "set!"],
    [constant("text", "clear"), "text", ""],
    [constant("n", "+=", 5), "n", 15],
    [constant("n", "-=", "2.5"), "n", 7.5],
    [constant("n", "*=", 3), "n", 30],
    [constant("n", "/=", 4), "n", 2.5],
    [constant("n", "clear"), "n", 0],
    [variable("n", "over-write", ["src", "number"]), "n", 7],
    [constant("flag", "set", true), "flag", true],
    [constant("flag", "clear"), "flag", false],
    [constant("obj", "set", '{"b": 2}'), "obj", { b: 2 }],
    [constant("obj", "clear"), "obj", {}],
    [variable("words", "append", ["src", "word"]), "words", ["a", "b", "c", "z"]],
    [variable("words", "extend", ["src", "words"]), "words", ["a", "b", "c", "x", "y"]],
    [variable("words", "over-write", ["src", "words"]), "words", ["x", "y"]],
    [constant("words", "remove-first"), "words", ["b", "c"]],
    [constant("words", "remove-last"), "words", ["a", "b"]],
    [constant("empty", "remove-last"), "empty", []],
    [variable("nums", "append", ["src", "number"]), "nums", [1, 2, 7]],
    [constant("words", "clear"), "words", []],
  ])("%p", async (item, name, expected) => {
    const updates = await assign([item]);
    expect(updates[name]?.value).toEqual(expected);
  });

  test("updates keep the declared type; numbers switch between int and float", async () => {
    const updates = await assign([constant("n", "/=", 4), constant("empty", "clear")]);
    expect(updates.n?.type).toBe("float");
    expect(updates.empty?.type).toBe("array[string]");
  });

  test.each([
    [[constant("n", "/=", 0)], "Division by zero"],
    [[constant("text", "+=", 1)], "not supported"],
    [[constant("words", "set", "x")], "not supported"],
    [[variable("words", "append", ["src", "number"])], "Invalid input value"],
    [[variable("nums", "extend", ["src", "words"])], "Invalid input value"],
    [[variable("n", "+=", ["src", "number"])], "needs a constant input"],
    [[constant("words", "over-write", ["q"])], "Constant input is not supported"],
    [[constant("ghost", "clear")], "Variable conversation.ghost not found"],
  ])("invalid items fail the node: %p", async (items, message) => {
    const variables = pool();
    const before = variables.get(["conversation", "text"]);
    const error = await runNode("assigner", { version: "2", items: [constant("text", "over-write", "changed"), ...items] }, variables).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NodeFailure);
    expect((error as NodeFailure).message).toContain(message);
    // No partial writes: the first, valid item did not reach the pool either.
    expect(variables.get(["conversation", "text"])).toEqual(before);
  });

  test("an input variable that resolves to nothing skips the item", async () => {
    expect(await assign([variable("text", "over-write", ["src", "absent"])])).toEqual({});
  });

  test("version 1: over-write, append and clear", async () => {
    const run = async (data: Record<string, unknown>) => (await runNode("assigner", data, pool())).result.variableUpdates?.[0]?.segment;
    expect(await run({ assigned_variable_selector: ["conversation", "text"], write_mode: "over-write", input_variable_selector: ["src", "word"] })).toEqual(
      toSegment("z"),
    );
    expect((await run({ assigned_variable_selector: ["conversation", "words"], write_mode: "append", input_variable_selector: ["src", "word"] }))?.value).toEqual([
      "a",
      "b",
      "c",
      "z",
    ]);
    expect((await run({ assigned_variable_selector: ["conversation", "obj"], write_mode: "clear" }))?.value).toEqual({});
    await expect(
      run({ assigned_variable_selector: ["conversation", "text"], write_mode: "over-write", input_variable_selector: ["src", "none"] }),
    ).rejects.toThrow("Input variable of conversation.text not found");
  });
});

describe("assigner in a chatflow run", () => {
  test("emits variable_updated before the node finishes and later nodes see the values", async () => {
    const { graph, dsl } = await fixture("conversation-variables");
    const conversationVariables = (dsl.workflow.conversation_variables ?? []) as Array<{ name: string; value: unknown; value_type: string }>;
    const { result, events, streamed } = await record(graph, { system: { query: "weather" }, conversationVariables });
    const seq = labels(events);
    // The assigner writes what the answer shows, so the answer's edge blocks streaming (§1.8):
    // nothing streams before the updates, then the new values do.
    expect(seq.findIndex((label) => label.startsWith("chunk:"))).toBeGreaterThan(seq.indexOf("updated:conversation.last"));
    const nodeEvents = seq.filter((label) => !label.startsWith("chunk:"));
    expect(nodeEvents.slice(nodeEvents.indexOf("started:assign"), nodeEvents.indexOf("finished:assign:succeeded") + 1)).toEqual([
      "started:assign",
      "updated:conversation.count",
      "updated:conversation.topics",
      "updated:conversation.last",
      "finished:assign:succeeded",
    ]);
    const updates = events.flatMap((event) => (event.type === "variable_updated" ? [[event.value, event.valueType]] : []));
    expect(updates).toEqual([
      [3, "integer"],
      [["intro", "weather"], "array[string]"],
      ["weather", "string"],
    ]);
    expect(result.outputs.answer).toBe("3 - intro\n- weather weather");
    expect(streamed).toBe(result.outputs.answer as string);
  });
});
