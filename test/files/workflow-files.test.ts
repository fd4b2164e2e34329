// Files inside workflow runs over HTTP (§4.6, workflow-engine §2.4 vision, §2.17): uploads given
// as file inputs are read by the document-extractor node, and sys.files images reach a remote
// model (a local OpenAI-wire server) as data: URLs rather than links back to this server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestApp, type TestServer } from "../harness";
import type { FakeServer } from "../models/fake-server";
import { dataUrl, lastModelMessages, PNG, startAnsweringProvider } from "./answering-provider";
import { makeDocx, makePdf } from "./extract/fixtures";
import { uploadFile } from "./upload-client";

const EXTRACTOR_DSL = `
version: "0.3.0"
kind: app
app: { name: extractor, mode: workflow }
workflow:
  graph:
    nodes:
      - id: start
        data:
          type: start
          title: Start
          variables:
            - { variable: doc, label: Doc, type: file, required: true, allowed_file_types: [document, image], allowed_file_upload_methods: [local_file] }
            - { variable: more, label: More, type: file-list, required: false, max_length: 3, allowed_file_types: [document], allowed_file_upload_methods: [local_file] }
      - id: one
        data: { type: document-extractor, title: Read doc, variable_selector: [start, doc], is_array_file: false }
      - id: many
        data: { type: document-extractor, title: Read more, variable_selector: [start, more], is_array_file: true }
      - id: end
        data: { type: end, title: End, outputs: [{ variable: doc_text, value_selector: [one, text] }, { variable: more_text, value_selector: [many, text] }] }
    edges:
      - { source: start, target: one }
      - { source: one, target: many }
      - { source: many, target: end }
`;

const VISION_DSL = `
version: "0.3.0"
kind: app
app: { name: looker, mode: workflow }
workflow:
  features:
    file_upload: { enabled: true, allowed_file_types: [image], allowed_file_upload_methods: [local_file], number_limits: 2 }
  graph:
    nodes:
      - id: start
        data: { type: start, title: Start, variables: [] }
      - id: llm
        data:
          type: llm
          title: Look
          model: { provider: langgenius/openai/openai, name: gpt-4o, mode: chat, completion_params: {} }
          prompt_template:
            - { role: user, text: "Describe the picture." }
          vision: { enabled: true, configs: { variable_selector: [sys, files], detail: high } }
      - id: end
        data: { type: end, title: End, outputs: [{ variable: answer, value_selector: [llm, text] }] }
    edges:
      - { source: start, target: llm }
      - { source: llm, target: end }
`;

interface RunBody {
  data: { status: string; outputs: Record<string, unknown> | null; error: string | null };
}

let provider: FakeServer;
let server: TestServer;
let extractor: TestApp;

beforeAll(async () => {
  provider = startAnsweringProvider("A single pixel.");
  server = await startTestServer({ OPENAI_BASE_URL: `${provider.url}/v1`, OPENAI_API_KEY: "sk-test" });
  extractor = server.importApp(EXTRACTOR_DSL);
});
afterAll(async () => {
  await server.stop();
  provider.stop();
});

const local = (type: string, id: string) => ({ type, transfer_method: "local_file", upload_file_id: id });

async function run(app: TestApp, body: Record<string, unknown>): Promise<RunBody> {
  const response = await server.request("/v1/workflows/run", { method: "POST", key: app.apiKey, json: { user: "alice", response_mode: "blocking", ...body } });
  if (response.status !== 200) throw new Error(`run answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as RunBody;
}

describe("document-extractor over HTTP", () => {
  test("extracts a PDF given as a file input and each DOCX/PDF of a file list, in order", async () => {
    const pdf = await uploadFile(server, extractor.apiKey, "report.pdf", await makePdf([["Revenue rose 12%"], ["Costs fell"]]), "application/pdf");
    const docx = await uploadFile(server, extractor.apiKey, "plan.docx", await makeDocx([{ heading: "Plan" }, { paragraph: "Ship in May." }]), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    const body = await run(extractor, { inputs: { doc: local("document", pdf.id), more: [local("document", docx.id), local("document", pdf.id)] } });
    expect(body.data).toMatchObject({ status: "succeeded", error: null });
    expect(body.data.outputs).toEqual({
      doc_text: "Revenue rose 12%\n\nCosts fell",
      more_text: ["# Plan\nShip in May.", "Revenue rose 12%\n\nCosts fell"],
    });
  });

  test("an empty file list gives []", async () => {
    const docx = await uploadFile(server, extractor.apiKey, "plan.docx", await makeDocx([{ paragraph: "Only this." }]), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    const body = await run(extractor, { inputs: { doc: local("document", docx.id), more: [] } });
    expect(body.data.outputs).toEqual({ doc_text: "Only this.", more_text: [] });
  });

  test("an image given to the extractor fails the run with the node's message", async () => {
    const png = await uploadFile(server, extractor.apiKey, "cat.png", PNG, "image/png");
    const body = await run(extractor, { inputs: { doc: local("image", png.id) } });
    expect(body.data).toMatchObject({ status: "failed", outputs: {}, error: "Unsupported document type for cat.png: .png" });
  });
});

describe("llm vision over HTTP", () => {
  test("sys.files images reach the remote model inlined as data: URLs", async () => {
    const app = server.importApp(VISION_DSL);
    const png = await uploadFile(server, app.apiKey, "dot.png", PNG, "image/png");
    const body = await run(app, { inputs: {}, files: [local("image", png.id)] });
    expect(body.data).toMatchObject({ status: "succeeded", outputs: { answer: "A single pixel." } });
    expect(lastModelMessages(provider)).toEqual([
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: dataUrl("image/png", PNG), detail: "high" } },
          { type: "text", text: "Describe the picture." },
        ],
      },
    ]);
  });
});
