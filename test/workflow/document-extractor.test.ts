// The document-extractor node (§2.17) against the engine's injected file loader: a loader here
// reads real documents written to a temporary folder, keyed by the file record's related_id.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFailure } from "../../src/workflow/nodes/node.ts";
import type { WorkflowFile } from "../../src/workflow/segments.ts";
import type { EngineServices, FileLoader } from "../../src/workflow/services.ts";
import { VariablePool } from "../../src/workflow/variable-pool.ts";
import { makeDocx, makePdf } from "../files/extract/fixtures.ts";
import { closeSandbox, realServices, runNode } from "./harness.ts";

let folder: string;
const loaded: string[] = [];

/** Reads `<folder>/<related_id>`, as the app runner's loader reads an upload from storage. */
const diskLoader: FileLoader = {
  async load(file) {
    loaded.push(file.filename ?? "");
    return new Uint8Array(await Bun.file(join(folder, String(file.related_id))).arrayBuffer());
  },
};

function document(id: string, filename: string, mimeType: string): WorkflowFile {
  const extension = filename.includes(".") ? filename.slice(filename.lastIndexOf(".")) : "";
  return {
    dify_model_identity: "__dify__file__", id: null, type: "document", transfer_method: "local_file", related_id: id,
    remote_url: null, filename, extension, mime_type: mimeType, size: 1, url: `http://kiln.test/files/${id}/file-preview`,
  };
}

const pdf = document("pdf-1", "report.pdf", "application/pdf");
const docx = document("docx-1", "notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
const png = { ...document("png-1", "cat.png", "image/png"), type: "image" as const };
const broken = document("broken-1", "broken.pdf", "application/pdf");

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "kiln-extractor-"));
  writeFileSync(join(folder, "pdf-1"), await makePdf([["Quarterly figures"], ["Page two"]]));
  writeFileSync(join(folder, "docx-1"), await makeDocx([{ heading: "Notes" }, { paragraph: "Grüße aus Köln" }]));
  writeFileSync(join(folder, "png-1"), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  writeFileSync(join(folder, "broken-1"), "%PDF-1.7 this is not a PDF body");
});
afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await closeSandbox();
});

function pool(entries: Record<string, unknown>): VariablePool {
  const variables = new VariablePool();
  for (const [name, value] of Object.entries(entries)) variables.add(["start", name], value);
  return variables;
}

const services = (extra: Partial<EngineServices> = {}) => realServices({ files: diskLoader, ...extra });

async function failureOf(run: Promise<unknown>): Promise<NodeFailure> {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof NodeFailure)) throw new Error(`expected a NodeFailure, got ${String(error)}`);
  return error;
}

describe("document-extractor (§2.17)", () => {
  test("one file gives one string, read through the loader", async () => {
    loaded.length = 0;
    const { result } = await runNode("document-extractor", { variable_selector: ["start", "doc"] }, pool({ doc: pdf }), { services: services() });
    expect(result.outputs).toEqual({ text: "Quarterly figures\n\nPage two" });
    expect(result.inputs).toEqual({ variable_selector: ["start", "doc"] });
    expect(result.processData).toEqual({ documents: [pdf] });
    expect(loaded).toEqual(["report.pdf"]);
  });

  test("a list gives one string per file, in order", async () => {
    const { result } = await runNode("document-extractor", { variable_selector: ["start", "docs"] }, pool({ docs: [docx, pdf] }), { services: services() });
    expect(result.outputs).toEqual({ text: ["# Notes\nGrüße aus Köln", "Quarterly figures\n\nPage two"] });
  });

  test("an empty list or an unset optional file gives []", async () => {
    for (const value of [[], null]) {
      loaded.length = 0;
      const { result } = await runNode("document-extractor", { variable_selector: ["start", "docs"] }, pool({ docs: value }), { services: services() });
      expect(result.outputs).toEqual({ text: [] });
      expect(loaded).toEqual([]);
    }
  });

  test("an unsupported format fails the node naming the file and its extension", async () => {
    const failure = await failureOf(runNode("document-extractor", { variable_selector: ["start", "docs"] }, pool({ docs: [pdf, png] }), { services: services() }));
    expect(failure.message).toBe("Unsupported document type for cat.png: .png");
    expect(failure.errorType).toBe("DocumentExtractorError");
    expect(failure.inputs).toEqual({ variable_selector: ["start", "docs"] });
  });

  test("broken content fails with the extractor's reason", async () => {
    const failure = await failureOf(runNode("document-extractor", { variable_selector: ["start", "doc"] }, pool({ doc: broken }), { services: services() }));
    expect(failure.message).toStartWith("Failed to extract text from broken.pdf: ");
  });

  test("a file that cannot be loaded, or a run without a loader, fails as a download error", async () => {
    const failing: FileLoader = {
      load: () => Promise.reject(new Error("Failed to load file content: report.pdf")),
    };
    const failure = await failureOf(runNode("document-extractor", { variable_selector: ["start", "doc"] }, pool({ doc: pdf }), { services: services({ files: failing }) }));
    expect(failure.message).toBe("Failed to download file: report.pdf: Failed to load file content: report.pdf");
    expect(failure.errorType).toBe("FileDownloadError");

    const { files: _unused, ...withoutLoader } = services();
    const missing = await failureOf(runNode("document-extractor", { variable_selector: ["start", "doc"] }, pool({ doc: pdf }), { services: withoutLoader }));
    expect(missing.message).toBe("Failed to download file: report.pdf: file contents are not available in this run");
  });

  test("a missing variable or one that holds no files fails with Dify's messages", async () => {
    const missing = await failureOf(runNode("document-extractor", { variable_selector: ["start", "nope"] }, pool({}), { services: services() }));
    expect(missing.message).toBe("File variable not found for selector: ['start', 'nope']");
    const text = await failureOf(runNode("document-extractor", { variable_selector: ["start", "doc"] }, pool({ doc: "not a file" }), { services: services() }));
    expect(text.message).toBe("Variable ['start', 'doc'] is not an ArrayFileSegment");
    const selector = await failureOf(runNode("document-extractor", { variable_selector: "start.doc" }, pool({}), { services: services() }));
    expect(selector.message).toBe("Invalid variable_selector: expected a variable selector");
  });
});

describe("llm vision with a file loader", () => {
  test("sys.files images reach the model as data: URLs of their bytes", async () => {
    const messages: unknown[] = [];
    const real = services();
    const recording: EngineServices = {
      ...real,
      chat: (model, request, onEvent) => {
        messages.push(...request.messages);
        return real.chat(model, request, onEvent);
      },
    };
    const variables = pool({});
    variables.add(["sys", "files"], [png, pdf]);
    await runNode(
      "llm",
      {
        model: { provider: "builtin", name: "echo", mode: "chat", completion_params: {} },
        prompt_template: [{ role: "user", text: "describe" }],
        vision: { enabled: true, configs: { detail: "high", variable_selector: ["sys", "files"] } },
      },
      variables,
      { services: recording },
    );
    const pngBase64 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString("base64");
    // Only the image is sent: documents are not vision input.
    expect(messages).toEqual([
      { role: "user", content: [{ type: "image", url: `data:image/png;base64,${pngBase64}`, detail: "high" }, { type: "text", text: "describe" }] },
    ]);
  });
});
