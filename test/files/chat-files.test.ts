// Files on easy-UI chat and completion requests (§4.2, §4.4, §5.2) over HTTP: uploads and remote
// URLs become message_files rows, images reach the model (a local OpenAI-wire server) inlined as
// data: URLs of their exact bytes, and the app's file_upload rules decide what is accepted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixture, startTestServer, type TestApp, type TestServer } from "../harness";
import type { FakeServer } from "../models/fake-server";
import { dataEvents } from "../sse";
import { dataUrl, lastModelMessages as modelMessages, PNG, startAnsweringProvider } from "./answering-provider";
import { uploadFile } from "./upload-client";

const REMOTE_GIF = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0]);

const IMAGE_UPLOAD = "{ enabled: true, allowed_file_types: [image], allowed_file_upload_methods: [local_file, remote_url], number_limits: 3, image: { detail: low } }";

let provider: FakeServer;
/** Serves a GIF on 127.0.0.2, a private address that only KILN_ALLOW_PRIVATE_REMOTE_FILES opens. */
let peer: ReturnType<typeof Bun.serve>;
let server: TestServer;

beforeAll(async () => {
  provider = startAnsweringProvider("A tiny picture.");
  peer = Bun.serve({
    hostname: "127.0.0.2",
    port: 0,
    fetch: (request) =>
      new URL(request.url).pathname === "/pics/dot.gif" ? new Response(REMOTE_GIF, { headers: { "Content-Type": "image/gif" } }) : new Response("no", { status: 404 }),
  });
  server = await startTestServer({ OPENAI_BASE_URL: `${provider.url}/v1`, OPENAI_API_KEY: "sk-test", KILN_ALLOW_PRIVATE_REMOTE_FILES: "true" });
});
afterAll(async () => {
  await server.stop();
  provider.stop();
  peer.stop(true);
});

/** The chat fixture answered by the fake provider, with the given file_upload feature and extra form items. */
function chatApp(fileUpload: string, extraForm = ""): TestApp {
  const dsl = fixture("dsl/chat.yml")
    .replace("provider: builtin, name: echo", "provider: langgenius/openai/openai, name: gpt-4o")
    .replace("file_upload: { enabled: false }", `file_upload: ${fileUpload}`)
    .replace("    - paragraph: { variable: notes, label: Notes, required: false }", `    - paragraph: { variable: notes, label: Notes, required: false }${extraForm}`);
  return server.importApp(dsl);
}

const lastModelMessages = () => modelMessages(provider);

async function chat(app: TestApp, body: Record<string, unknown>, user = "alice"): Promise<Response> {
  return server.request("/v1/chat-messages", { method: "POST", key: app.apiKey, json: { inputs: { company: "Acme" }, query: "What is this?", user, auto_generate_name: false, ...body } });
}

async function history(app: TestApp, conversationId: string, user = "alice") {
  const response = await server.request(`/v1/messages?conversation_id=${conversationId}&user=${user}`, { key: app.apiKey });
  return ((await response.json()) as { data: Array<Record<string, unknown> & { message_files: Array<Record<string, unknown>> }> }).data;
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { code: string; message: string }) };
}

describe("chat-messages with files", () => {
  test("an uploaded image reaches the model as a data: URL of its bytes and is listed in message_files", async () => {
    const app = chatApp(IMAGE_UPLOAD);
    const upload = await uploadFile(server, app.apiKey, "dot.png", PNG, "image/png");
    // Before it is attached, another end user of the app cannot preview it.
    expect((await server.request(`/v1/files/${upload.id}/preview?user=bob`, { key: app.apiKey })).status).toBe(404);

    const response = await chat(app, { files: [{ type: "image", transfer_method: "local_file", upload_file_id: upload.id }] });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { answer: string; conversation_id: string; id: string };
    expect(answer.answer).toBe("A tiny picture.");
    expect(lastModelMessages()).toEqual([
      { role: "system", content: "You are a concise assistant for Acme." },
      { role: "user", content: [{ type: "image_url", image_url: { url: dataUrl("image/png", PNG), detail: "low" } }, { type: "text", text: "What is this?" }] },
    ]);

    const [item] = await history(app, answer.conversation_id);
    expect(item!.id).toBe(answer.id);
    expect(item!.message_files).toHaveLength(1);
    const file = item!.message_files[0]!;
    expect(file).toMatchObject({
      filename: "dot.png", type: "image", mime_type: "image/png", size: PNG.length,
      transfer_method: "local_file", belongs_to: "user", upload_file_id: upload.id,
    });
    expect(file.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(file.id).not.toBe(upload.id);
    expect(new Uint8Array(await (await fetch(String(file.url))).arrayBuffer())).toEqual(PNG);

    // Attached to a message of the app, the upload may now be previewed by the app's users.
    const preview = await server.request(`/v1/files/${upload.id}/preview?user=bob`, { key: app.apiKey });
    expect(preview.status).toBe(200);
    expect(new Uint8Array(await preview.arrayBuffer())).toEqual(PNG);
  });

  test("streaming answers keep message events and message_end.files null (§7.3)", async () => {
    const app = chatApp(IMAGE_UPLOAD);
    const upload = await uploadFile(server, app.apiKey, "dot.png", PNG, "image/png");
    const events = await dataEvents(await chat(app, { response_mode: "streaming", files: [{ type: "image", transfer_method: "local_file", upload_file_id: upload.id }] }));
    expect(events.filter((event) => event.event === "message").map((event) => event.answer).join("")).toBe("A tiny picture.");
    const end = events.find((event) => event.event === "message_end")!;
    expect(end.files).toBeNull();
    const [item] = await history(app, String(end.conversation_id));
    expect(item!.message_files.map((file) => file.upload_file_id)).toEqual([upload.id]);
  });

  test("a remote image is fetched for the model and keeps its URL in message_files", async () => {
    const app = chatApp(IMAGE_UPLOAD);
    const url = `http://127.0.0.2:${peer.port}/pics/dot.gif`;
    const response = await chat(app, { files: [{ type: "image", transfer_method: "remote_url", url }] });
    expect(response.status).toBe(200);
    const { conversation_id } = (await response.json()) as { conversation_id: string };
    const user = lastModelMessages().at(-1)!;
    expect(user.content).toEqual([{ type: "image_url", image_url: { url: dataUrl("image/gif", REMOTE_GIF), detail: "low" } }, { type: "text", text: "What is this?" }]);
    const [item] = await history(app, conversation_id);
    expect(item!.message_files).toEqual([
      expect.objectContaining({ type: "image", url, transfer_method: "remote_url", belongs_to: "user", upload_file_id: null }),
    ]);
  });

  test("another app's upload is refused with §5.2's message, and nothing is written", async () => {
    const app = chatApp(IMAGE_UPLOAD);
    const other = chatApp(IMAGE_UPLOAD);
    const foreign = await uploadFile(server, other.apiKey, "dot.png", PNG, "image/png");
    const requestsBefore = provider.requests.length;
    const response = await chat(app, { files: [{ type: "image", transfer_method: "local_file", upload_file_id: foreign.id }] }, "carol");
    expect(await errorOf(response)).toEqual({ status: 400, code: "invalid_param", message: "Invalid upload file" });
    const conversations = await (await server.request("/v1/conversations?user=carol", { key: app.apiKey })).json();
    expect((conversations as { data: unknown[] }).data).toEqual([]);
    expect(provider.requests.length).toBe(requestsBefore);
  });

  test("the app's rules apply: a type it does not allow and too many images are refused", async () => {
    const app = chatApp(IMAGE_UPLOAD);
    const pdf = await uploadFile(server, app.apiKey, "notes.pdf", "%PDF-1.4", "application/pdf");
    expect(await errorOf(await chat(app, { files: [{ type: "document", transfer_method: "local_file", upload_file_id: pdf.id }] }))).toEqual({
      status: 400, code: "invalid_param", message: "File validation failed for file: notes.pdf",
    });
    const png = await uploadFile(server, app.apiKey, "dot.png", PNG, "image/png");
    const four = Array.from({ length: 4 }, () => ({ type: "image", transfer_method: "local_file", upload_file_id: png.id }));
    expect(await errorOf(await chat(app, { files: four }))).toEqual({ status: 400, code: "invalid_param", message: "Number of image files exceeds the maximum limit 3" });
  });

  test("with file upload disabled, files are ignored", async () => {
    const app = chatApp("{ enabled: false }");
    const upload = await uploadFile(server, app.apiKey, "dot.png", PNG, "image/png");
    const response = await chat(app, { files: [{ type: "image", transfer_method: "local_file", upload_file_id: upload.id }, { type: "image", transfer_method: "local_file", upload_file_id: "not-a-uuid" }] });
    expect(response.status).toBe(200);
    const { conversation_id } = (await response.json()) as { conversation_id: string };
    expect(lastModelMessages().at(-1)).toEqual({ role: "user", content: "What is this?" });
    const [item] = await history(app, conversation_id);
    expect(item!.message_files).toEqual([]);
  });

  test("a file-typed input is resolved, and kept in the message inputs without its signed URL", async () => {
    const photoInput = "\n    - file: { variable: photo, label: Photo, required: true, allowed_file_types: [image], allowed_file_upload_methods: [local_file] }";
    const app = chatApp("{ enabled: false }", photoInput);
    const upload = await uploadFile(server, app.apiKey, "dot.png", PNG, "image/png");
    const refused = await chat(app, { inputs: { company: "Acme", photo: { type: "image", transfer_method: "local_file", upload_file_id: crypto.randomUUID() } } });
    expect(await errorOf(refused)).toEqual({ status: 400, code: "invalid_param", message: "Invalid upload file" });

    const response = await chat(app, { inputs: { company: "Acme", photo: { type: "image", transfer_method: "local_file", upload_file_id: upload.id } } });
    expect(response.status).toBe(200);
    const { conversation_id } = (await response.json()) as { conversation_id: string };
    const [item] = await history(app, conversation_id);
    const photo = (item!.inputs as { photo: Record<string, unknown> }).photo;
    expect(photo).toMatchObject({ dify_model_identity: "__dify__file__", type: "image", related_id: upload.id, filename: "dot.png" });
    expect(photo).not.toHaveProperty("url");
  });
});

describe("completion-messages with files", () => {
  test("an uploaded image joins the prompt's user turn", async () => {
    const dsl = fixture("dsl/completion.yml").replace("file_upload: { enabled: false }", `file_upload: ${IMAGE_UPLOAD}`);
    const app = server.importApp(dsl);
    const upload = await uploadFile(server, app.apiKey, "dot.png", PNG, "image/png");
    const response = await server.request("/v1/completion-messages", {
      method: "POST", key: app.apiKey,
      json: { inputs: { language: "French", text: "the caption" }, user: "alice", files: [{ type: "image", transfer_method: "local_file", upload_file_id: upload.id }] },
    });
    expect(response.status).toBe(200);
    expect(lastModelMessages()).toEqual([
      { role: "user", content: [{ type: "image_url", image_url: { url: dataUrl("image/png", PNG), detail: "low" } }, { type: "text", text: "Translate into French: the caption" }] },
    ]);
  });
});
