// /parameters, /meta, /info and /site for every app mode (service-api.md §4.24–§4.27).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const PARAMETER_KEYS = [
  "opening_statement", "suggested_questions", "suggested_questions_after_answer", "speech_to_text", "text_to_speech",
  "retriever_resource", "annotation_reply", "more_like_this", "user_input_form", "sensitive_word_avoidance",
  "file_upload", "system_parameters",
];

async function get(key: string, path: string) {
  const response = await server.request(path, { key });
  expect(response.status).toBe(200);
  return response.json();
}

describe("/parameters", () => {
  test("chat app: from model_config, with defaults for what is absent", async () => {
    const { apiKey } = server.importApp("chat.yml");
    const body = await get(apiKey, "/v1/parameters");
    expect(Object.keys(body)).toEqual(PARAMETER_KEYS);
    expect(body.opening_statement).toBe("Hi! Ask me about {{company}}.");
    expect(body.suggested_questions).toEqual(["What do you do?"]);
    expect(body.suggested_questions_after_answer).toEqual({ enabled: true });
    expect(body.user_input_form[0]).toEqual({ "text-input": { variable: "company", label: "Company", required: true, max_length: 16, default: "" } });
    expect(body.user_input_form.map((item: object) => Object.keys(item)[0])).toEqual(["text-input", "select", "number", "paragraph"]);
    expect(body.system_parameters).toEqual({
      image_file_size_limit: 10, video_file_size_limit: 100, audio_file_size_limit: 50, file_size_limit: 15, workflow_file_upload_limit: 10,
    });
  });

  test("completion app without the optional features gets Dify's defaults", async () => {
    const { apiKey } = server.importApp("completion.yml");
    const body = await get(apiKey, "/v1/parameters");
    expect(body.opening_statement).toBeNull();
    expect(body.suggested_questions).toEqual([]);
    expect(body.retriever_resource).toEqual({ enabled: true });
    expect(body.more_like_this).toEqual({ enabled: true });
    expect(body.sensitive_word_avoidance).toEqual({ enabled: false, type: "", configs: [] });
    expect(body.speech_to_text).toEqual({ enabled: false });
  });

  test("workflow app: Start variables in the old structure, features from the workflow", async () => {
    const { apiKey } = server.importApp("workflow.yml");
    const body = await get(apiKey, "/v1/parameters");
    expect(Object.keys(body)).toEqual(PARAMETER_KEYS);
    expect(body.user_input_form).toEqual([
      { paragraph: { variable: "review", label: "Review", type: "paragraph", required: true, max_length: 4000, options: [] } },
      { number: { variable: "stars", label: "Stars", type: "number", required: false, options: [] } },
    ]);
    expect(body.retriever_resource).toEqual({ enabled: false });
    expect(body.file_upload).toEqual({ enabled: false });
  });

  test("advanced-chat app: opening statement and file upload from features", async () => {
    const { apiKey } = server.importApp("advanced-chat.yml");
    const body = await get(apiKey, "/v1/parameters");
    expect(body.opening_statement).toBe("Say something.");
    expect(body.file_upload.number_limits).toBe(2);
    expect(body.user_input_form).toEqual([{ "text-input": { variable: "city", label: "City", type: "text-input", required: false, max_length: 48 } }]);
  });
});

describe("/info, /meta, /site", () => {
  test("/info for each mode", async () => {
    for (const [fixtureName, mode] of [["chat.yml", "chat"], ["completion.yml", "completion"], ["agent-chat.yml", "agent-chat"], ["workflow.yml", "workflow"], ["advanced-chat.yml", "advanced-chat"]]) {
      const { apiKey } = server.importApp(fixtureName);
      const body = await get(apiKey, "/v1/info");
      expect(Object.keys(body)).toEqual(["name", "description", "tags", "mode", "author_name"]);
      expect(body.mode).toBe(mode);
      expect(body.tags).toEqual([]);
    }
  });

  test("/meta lists tool icons from agent tools and workflow tool nodes", async () => {
    const agent = server.importApp("agent-chat.yml");
    const icons = (await get(agent.apiKey, "/v1/meta")).tool_icons;
    expect(icons.current_time).toEndWith("/console/api/workspaces/current/tool-provider/builtin/time/icon");
    expect(icons.get_weather).toEqual({ background: "#252525", content: "😁" });
    const workflow = server.importApp("workflow.yml");
    expect(Object.keys((await get(workflow.apiKey, "/v1/meta")).tool_icons)).toEqual(["current_time"]);
    const chat = server.importApp("chat.yml");
    expect(await get(chat.apiKey, "/v1/meta")).toEqual({ tool_icons: {} });
  });

  test("/site describes the app with every field in order", async () => {
    const { apiKey } = server.importApp("workflow.yml");
    const response = await server.request("/v1/site", { key: apiKey });
    const text = await response.text();
    // Blocking JSON is ASCII-escaped as Dify writes it (§1): the emoji travels as \ud83e\udded.
    expect(text).toContain('"icon":"\\ud83e\\udded"');
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual([
      "title", "chat_color_theme", "chat_color_theme_inverted", "icon_type", "icon", "icon_background", "description",
      "copyright", "privacy_policy", "custom_disclaimer", "default_language", "show_workflow_steps", "use_icon_as_answer_icon", "icon_url",
    ]);
    expect(body).toMatchObject({ title: "Review router", icon: "🧭", icon_type: "emoji", icon_background: "#E0F2FE", default_language: "en-US" });
  });
});
