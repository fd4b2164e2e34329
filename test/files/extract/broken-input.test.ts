import { describe, expect, test } from "bun:test";
import { extractText } from "../../../src/files/extract";
import { rejection } from "./expect-error";
import { makeDocx, makePdf, makeXlsx } from "./fixtures";

/** The first bytes of a PNG image: a valid header and nothing else a document reader can use. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);

/** Deterministic noise, so a failure reproduces. */
function noise(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 0x2545f491;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

describe("broken documents give a 400 naming the file and the reason", () => {
  test("a truncated PDF", async () => {
    const pdf = await makePdf([["some text"], ["more text"]]);
    const error = await rejection(() => extractText({ bytes: pdf.slice(0, Math.floor(pdf.length / 2)), filename: "cut.pdf" }));
    expect(error.code).toBe("invalid_param");
    expect(error.status).toBe(400);
    expect(error.message).toBe("Failed to extract text from cut.pdf: the file is not a valid PDF file (Invalid PDF structure.)");
  });

  test("a PNG renamed .docx", async () => {
    const error = await rejection(() => extractText({ bytes: PNG, filename: "photo.docx" }));
    expect(error.message).toBe("Failed to extract text from photo.docx: the file is not a valid DOCX file (it is not a readable ZIP archive)");
  });

  test("random bytes named .xlsx", async () => {
    const error = await rejection(() => extractText({ bytes: noise(8192), filename: "noise.xlsx" }));
    expect(error.code).toBe("invalid_param");
    expect(error.message).toStartWith("Failed to extract text from noise.xlsx: the file is not a valid XLSX file (");
  });

  test("random bytes named .pptx, .epub and .pdf", async () => {
    for (const filename of ["noise.pptx", "noise.epub", "noise.pdf"]) {
      const error = await rejection(() => extractText({ bytes: noise(4096), filename }));
      expect(error.message).toStartWith(`Failed to extract text from ${filename}: the file is not a valid `);
    }
  });

  test("a real ZIP document of the wrong kind", async () => {
    const docx = await makeDocx([{ paragraph: "x" }]);
    const asEpub = await rejection(() => extractText({ bytes: docx, filename: "book.epub" }));
    expect(asEpub.message).toBe("Failed to extract text from book.epub: the file is not a valid EPUB file (missing META-INF/container.xml)");
    const asPptx = await rejection(() => extractText({ bytes: docx, filename: "deck.pptx" }));
    expect(asPptx.message).toBe("Failed to extract text from deck.pptx: the file is not a valid PPTX file (missing ppt/presentation.xml)");
    const xlsx = await makeXlsx([{ name: "S", rows: [["a"]] }]);
    const asDocx = await rejection(() => extractText({ bytes: xlsx, filename: "sheet.docx" }));
    expect(asDocx.message).toStartWith("Failed to extract text from sheet.docx: the file is not a valid DOCX file (");
  });

  test("an empty binary document", async () => {
    const error = await rejection(() => extractText({ bytes: new Uint8Array(), filename: "empty.pdf" }));
    expect(error.message).toBe("Failed to extract text from empty.pdf: the file is empty");
  });
});

describe("unsupported types give a 400 naming the file and the type", () => {
  test("an unknown extension", async () => {
    const error = await rejection(() => extractText({ bytes: PNG, filename: "photo.png" }));
    expect(error.code).toBe("invalid_param");
    expect(error.message).toBe("Unsupported document type for photo.png: .png");
  });

  test("a legacy Office format says how to fix it", async () => {
    const error = await rejection(() => extractText({ bytes: noise(64), filename: "old.XLS" }));
    expect(error.message).toBe(
      "Unsupported document type for old.XLS: .xls (legacy Excel workbooks are not supported; save the file as .xlsx)",
    );
  });

  test("an unknown MIME type on a file without extension", async () => {
    const error = await rejection(() => extractText({ bytes: PNG, filename: "upload", mimeType: "image/png" }));
    expect(error.message).toBe("Unsupported document type for upload: image/png");
  });

  test("no extension and no MIME type", async () => {
    const error = await rejection(() => extractText({ bytes: PNG, filename: "upload" }));
    expect(error.message).toBe("Unsupported document type for upload: no file extension or MIME type");
  });
});

describe("pathological but well-formed input", () => {
  test("HTML nested deeper than the walker can follow is an error, not a crash", async () => {
    const html = `${"<div>".repeat(100_000)}deep${"</div>".repeat(100_000)}`;
    const error = await rejection(() => extractText({ bytes: new TextEncoder().encode(html), filename: "deep.html" }));
    expect(error.message).toStartWith("Failed to extract text from deep.html: ");
  });
});
