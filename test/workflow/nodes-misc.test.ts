import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { WorkflowFile } from "../../src/workflow/segments.ts";
import { VariablePool } from "../../src/workflow/variable-pool.ts";
import { closeSandbox, fixture, record, runNode, sandbox } from "./harness.ts";

beforeAll(() => sandbox().warmUp(), 60_000);
afterAll(closeSandbox);

const image: WorkflowFile = { dify_model_identity: "__dify__file__", type: "image", transfer_method: "remote_url", remote_url: "https://x.test/a.png", filename: "a.png" };

describe("legacy DSL shapes run", () => {
  test.each([
    [null, "Hello stranger hi"],
    ["Ada", "Hello Ada"],
  ])("0.1.0 if-else, is empty, variable-assigner, [start, sys.query] (name=%p)", async (name, answer) => {
    const { graph } = await fixture("legacy");
    const { result, streamed } = await record(graph, { inputs: { name }, system: { query: "hi" } });
    expect(result.status).toBe("succeeded");
    expect(result.outputs.answer).toBe(answer);
    expect(streamed).toBe(answer);
  });
});

describe("start node (§2.1)", () => {
  test("outputs the inputs plus flattened sys, env and conversation variables", async () => {
    const pool = new VariablePool();
    pool.add(["start", "q"], "hello");
    pool.add(["sys", "query"], "hi");
    pool.add(["env", "key"], "k", "secret");
    pool.add(["conversation", "n"], 1);
    const { result } = await runNode("start", { variables: [{ variable: "q", type: "text-input" }] }, pool, { id: "start" });
    expect(result.inputs).toEqual({ q: "hello" });
    expect(result.outputs).toEqual({ q: "hello", "sys.query": "hi", "env.key": "k", "conversation.n": 1 });
  });

  test("json_object inputs are checked against their schema when the node runs", async () => {
    const pool = new VariablePool();
    pool.add(["start", "obj"], { a: "x" });
    const variables = [{ variable: "obj", type: "json_object", json_schema: '{"type":"object","properties":{"a":{"type":"number"}}}' }];
    await expect(runNode("start", { variables }, pool, { id: "start" })).rejects.toThrow("obj does not match its JSON schema: /a must be number");
  });
});

describe("answer and aggregator", () => {
  test("answer renders markdown and lists referenced files", async () => {
    const pool = new VariablePool();
    pool.add(["n", "pic"], image);
    pool.add(["n", "list"], ["a", "b"]);
    const { result } = await runNode("answer", { answer: "{{#n.pic#}}\n{{#n.list#}} {{#n.gone#}}" }, pool);
    expect(result.outputs).toEqual({ answer: "![a.png](https://x.test/a.png)\n- a\n- b n.gone", files: [image] });
  });

  test("aggregator group mode outputs {group: {output}}; nothing resolving is not an error", async () => {
    const pool = new VariablePool();
    pool.add(["b", "text"], "from b");
    const groups = [
      { group_name: "G1", output_type: "string", variables: [["a", "text"], ["b", "text"]] },
      { group_name: "G2", output_type: "string", variables: [["z", "text"]] },
    ];
    const { result } = await runNode("variable-aggregator", { advanced_settings: { group_enabled: true, groups } }, pool);
    expect(result.outputs).toEqual({ G1: { output: "from b" } });
    const none = await runNode("variable-aggregator", { variables: [["z", "text"]] }, pool);
    expect(none.result.outputs).toEqual({});
  });
});
