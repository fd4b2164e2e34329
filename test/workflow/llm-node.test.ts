import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ChatMessage } from "../../src/models/types.ts";
import { NodeFailure } from "../../src/workflow/nodes/node.ts";
import type { EngineServices, ModelSpec } from "../../src/workflow/services.ts";
import { VariablePool } from "../../src/workflow/variable-pool.ts";
import { catImage, closeSandbox, realServices, runNode, sandbox } from "./harness.ts";

beforeAll(() => sandbox().warmUp(), 60_000);
afterAll(closeSandbox);

const echo = { provider: "builtin", name: "echo", mode: "chat", completion_params: {} };
const image = catImage;

function pool(): VariablePool {
  const variables = new VariablePool();
  variables.add(["sys", "query"], "what now?");
  variables.add(["sys", "files"], [image]);
  variables.add(["start", "q"], "hello");
  variables.add(["start", "temp"], "0.5");
  variables.add(["kr", "result"], [{ content: "Doc one." }, { content: "Doc two.", summary: "Summary." }]);
  return variables;
}

/** Real services that also record what each model call received. */
function recording(extra: Partial<EngineServices> = {}) {
  const calls: Array<{ model: ModelSpec; messages: ChatMessage[] }> = [];
  const real = realServices(extra);
  const services: EngineServices = {
    ...real,
    chat: (model, request, onEvent) => {
      calls.push({ model, messages: request.messages });
      return real.chat(model, request, onEvent);
    },
  };
  return { services, calls };
}

describe("llm node (§2.4)", () => {
  test("basic prompt: streams tokens on [id, text], reports usage and metadata", async () => {
    const { result, chunks } = await runNode("llm", { model: echo, prompt_template: [{ role: "user", text: "say {{#start.q#}} there" }] }, pool(), { id: "llm" });
    expect(chunks).toEqual([
      ["llm.text", "say "],
      ["llm.text", "hello "],
      ["llm.text", "there"],
    ]);
    expect(result.outputs).toMatchObject({ text: "say hello there", reasoning_content: "", finish_reason: "stop" });
    expect(result.usage?.total_tokens).toBeGreaterThan(0);
    expect(result.metadata).toEqual({ total_tokens: result.usage!.total_tokens, total_price: result.usage!.total_price, currency: "USD" });
  });

  test("jinja2 prompts render in the sandbox; completion params resolve templates to JSON literals", async () => {
    const { services, calls } = recording();
    const { result } = await runNode(
      "llm",
      {
        model: { ...echo, completion_params: { temperature: "{{#start.temp#}}", stop: ["x"] } },
        prompt_template: [{ role: "user", edition_type: "jinja2", text: "", jinja2_text: "{{ q | upper }}-{{ nothing }}" }],
        prompt_config: { jinja2_variables: [{ variable: "q", value_selector: ["start", "q"] }, { variable: "nothing", value_selector: ["start", "zz"] }] },
      },
      pool(),
      { services },
    );
    expect(result.outputs.text).toBe("HELLO-");
    expect(calls[0]!.model.completion_params).toEqual({ temperature: 0.5, stop: ["x"] });
  });

  test("context, memory window and the query turn, in Dify's order", async () => {
    const limits: Array<number | undefined> = [];
    const history = async (limit: number | undefined): Promise<ChatMessage[]> => {
      limits.push(limit);
      return [
        { role: "user", content: "earlier question" },
        { role: "assistant", content: "earlier answer" },
      ];
    };
    const { services, calls } = recording({ history });
    const { result } = await runNode(
      "llm",
      {
        model: echo,
        prompt_template: [{ role: "system", text: "Use: {{#context#}}" }],
        context: { enabled: true, variable_selector: ["kr", "result"] },
        memory: { window: { enabled: true, size: 4 }, query_prompt_template: "Q: {{#sys.query#}}" },
      },
      pool(),
      { services, mode: "advanced-chat" },
    );
    expect(limits).toEqual([4]);
    expect(calls[0]!.messages).toEqual([
      { role: "system", content: "Use: Doc one.\nSummary.\nDoc two." },
      { role: "user", content: "earlier question" },
      { role: "assistant", content: "earlier answer" },
      { role: "user", content: "Q: what now?" },
    ]);
    expect(result.outputs.text).toBe("Q: what now?");
    expect(result.inputs).toEqual({ "#context#": "Doc one.\nSummary.\nDoc two." });
  });

  test("vision puts sys.files images before the last user message's text", async () => {
    const { services, calls } = recording();
    await runNode(
      "llm",
      { model: echo, prompt_template: [{ role: "user", text: "describe" }], vision: { enabled: true, configs: { detail: "low" } } },
      pool(),
      { services },
    );
    expect(calls[0]!.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "image", url: "https://example.test/cat.png", detail: "low" },
          { type: "text", text: "describe" },
        ],
      },
    ]);
  });

  test("structured output asks for a JSON schema and parses the reply", async () => {
    const schema = { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name"] };
    const { services, calls } = recording();
    const { result } = await runNode(
      "llm",
      { model: echo, prompt_template: [{ role: "user", text: '```json\n{"name": "Ada", "age": 36}\n```' }], structured_output_switch_on: true, structured_output: { schema } },
      pool(),
      { services },
    );
    expect(result.outputs.structured_output).toEqual({ name: "Ada", age: 36 });
    expect(calls[0]!.model.completion_params?.response_format).toEqual({ type: "json_schema", json_schema: { name: "structured_output", schema } });
    const mismatch = runNode(
      "llm",
      { model: echo, prompt_template: [{ role: "user", text: '{"age": 1}' }], structured_output_enabled: true, structured_output: { schema } },
      pool(),
    );
    await expect(mismatch).rejects.toThrow("Structured output does not match the schema");
    await expect(
      runNode("llm", { model: echo, prompt_template: [{ role: "user", text: "not json" }], structured_output_switch_on: true, structured_output: { schema } }, pool()),
    ).rejects.toThrow("Failed to parse structured output");
  });

  test.each([
    ["separated", "The answer is 4", "mull it over"],
    ["tagged", "<think>mull it over</think> The answer is 4", ""],
  ])("reasoning_format %s", async (format, text, reasoning) => {
    const { result, chunks } = await runNode(
      "llm",
      { model: echo, prompt_template: [{ role: "user", text: "<think>mull it over</think> The answer is 4" }], reasoning_format: format },
      pool(),
      { id: "llm" },
    );
    expect(result.outputs.text).toBe(text);
    expect(result.outputs.reasoning_content).toBe(reasoning);
    expect(chunks.filter(([selector]) => selector === "llm.text").map(([, chunk]) => chunk).join("")).toBe(text);
  });

  test("no prompt and model errors fail the node", async () => {
    await expect(runNode("llm", { model: echo, prompt_template: [{ role: "user", text: "" }] }, pool())).rejects.toThrow(
      "No prompt found in the LLM configuration",
    );
    const failure = await runNode("llm", { model: { provider: "nowhere", name: "x" }, prompt_template: [{ role: "user", text: "hi" }] }, pool()).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(NodeFailure);
    expect((failure as NodeFailure).errorType).toBe("provider_not_initialize");
  });
});
