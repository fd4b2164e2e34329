// DSL import: valid files for each mode and the clear errors of invalid ones.
import { describe, expect, test } from "bun:test";
import { parseDsl } from "../../src/dsl/parse-dsl";
import { fixture } from "../harness";

describe("valid files", () => {
  test.each([
    ["chat.yml", "chat"],
    ["completion.yml", "completion"],
    ["agent-chat.yml", "agent-chat"],
    ["workflow.yml", "workflow"],
    ["advanced-chat.yml", "advanced-chat"],
  ])("%s imports as %s", (file, mode) => {
    const definition = parseDsl(fixture(`dsl/${file}`));
    expect(definition.mode).toBe(mode as never);
    if (mode === "workflow" || mode === "advanced-chat") {
      expect(definition.workflow?.graph.nodes).toBeArray();
      expect(definition.modelConfig).toBeNull();
    } else {
      expect(definition.modelConfig?.model).toBeObject();
      expect(definition.workflow).toBeNull();
    }
  });

  test("a chat app with an agent strategy becomes agent-chat", () => {
    const text = fixture("dsl/chat.yml").replace("agent_mode: { enabled: false", "agent_mode: { enabled: true");
    expect(parseDsl(text).mode).toBe("agent-chat");
  });

  test("a missing version means 0.1.0; variables without ids get one", () => {
    const text = fixture("dsl/advanced-chat.yml").replace('version: "0.3.0"\n', "").replace("id: 2c3d0000-0000-4000-8000-000000000001, ", "");
    const definition = parseDsl(text);
    expect(definition.dslVersion).toBe("0.1.0");
    expect(definition.workflow?.conversationVariables[0].id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("invalid files say what is wrong", () => {
  const chat = fixture("dsl/chat.yml");
  const workflow = fixture("dsl/workflow.yml");
  test.each([
    ["not YAML", "app: [unclosed", /invalid YAML at line 1/],
    ["not a mapping", "- just\n- a list\n", /must be a YAML mapping/],
    ["numeric version", chat.replace('version: "0.6.0"', "version: 0.6"), /`version` must be a string/],
    ["unknown version form", chat.replace('version: "0.6.0"', 'version: "latest"'), /"latest" is not a DSL version/],
    ["too new", chat.replace('version: "0.6.0"', 'version: "1.0.0"'), /newer than this Kiln reads/],
    ["pipeline kind", chat.replace("kind: app", "kind: rag_pipeline"), /only app DSL files/],
    ["no app", "version: \"0.6.0\"\nkind: app\n", /missing `app`/],
    ["bad mode", chat.replace("mode: chat\n", "mode: chatbot\n"), /`app.mode` must be one of/],
    ["no name", chat.replace("name: Helper chat", "name: ''"), /`app.name`/],
    ["chat without model_config", chat.slice(0, chat.indexOf("model_config:")), /needs a `model_config`/],
    ["chat without model name", chat.replace("name: echo, ", ""), /`model_config.model.name`/],
    ["workflow without workflow", workflow.slice(0, workflow.indexOf("workflow:\n")), /needs a `workflow` mapping/],
    ["workflow without nodes", workflow.replace("    nodes:\n", "    nodez:\n"), /`workflow.graph.nodes` must be a list/],
    ["edge to an unknown node", workflow.replace("target: end_neg", "target: nowhere"), /workflow graph: .*nowhere/],
    ["env variable without value", workflow.replace("value: POSITIVE, ", ""), /environment_variables\[0\]\.value` is required/],
  ])("%s", (_name, text, message) => {
    expect(() => parseDsl(text)).toThrow(message);
  });
});
