import type { KilnError } from "../../errors";
import { csvToMarkdown } from "./csv";
import { decodeText } from "./decode-text";
import { BINARY_FORMATS, type DocumentFormat, extensionOf, normalizeExtension, resolveFormat, UNSUPPORTED_HINTS } from "./document-formats";
import { extractDocx } from "./docx";
import { extractEpub } from "./epub";
import { BrokenDocument, documentTypeUnsupported, documentUnreadable } from "./extraction-error";
import { htmlToText } from "./html-to-text";
import { extractPdf } from "./pdf";
import { extractPptx } from "./pptx";
import { formatProperties } from "./properties";
import { extractXlsx } from "./spreadsheet";
import { normalizedYaml, prettyJson } from "./structured-text";
import { vttTranscript } from "./vtt";

/** One document to read, as stored by the upload service. */
export interface DocumentInput {
  bytes: Uint8Array;
  /** Shown in error messages; its extension is used when `extension` is not given. */
  filename: string;
  /** With or without the leading dot. */
  extension?: string;
  mimeType?: string;
}

const READERS: Record<DocumentFormat, (bytes: Uint8Array) => string | Promise<string>> = {
  text: decodeText,
  html: (bytes) => htmlToText(decodeText(bytes)),
  csv: (bytes) => csvToMarkdown(decodeText(bytes)),
  json: (bytes) => prettyJson(decodeText(bytes)),
  yaml: (bytes) => normalizedYaml(decodeText(bytes)),
  vtt: (bytes) => vttTranscript(decodeText(bytes)),
  properties: (bytes) => formatProperties(decodeText(bytes)),
  pdf: extractPdf,
  docx: extractDocx,
  xlsx: extractXlsx,
  pptx: extractPptx,
  epub: extractEpub,
};

/**
 * Extracts the text of one document for the `document-extractor` node and chat file context
 * (§2.17). Text formats are decoded (UTF-8 with or without BOM, UTF-16 with BOM, else a detected
 * charset); tables (CSV, XLSX sheets, DOCX and HTML tables) come out as markdown tables.
 *
 * Throws a 400 `invalid_param` KilnError naming the file: "Unsupported document type for …"
 * when neither the extension nor the MIME type is readable, "Failed to extract text from …:
 * <reason>" when the content is empty or broken.
 */
export async function extractText(input: DocumentInput): Promise<string> {
  const extension = normalizeExtension(input.extension ?? extensionOf(input.filename));
  const format = resolveFormat(extension, input.mimeType);
  if (format === undefined) throw unsupported(input.filename, extension, input.mimeType);
  if (BINARY_FORMATS.has(format) && input.bytes.length === 0) {
    throw documentUnreadable(input.filename, "the file is empty");
  }
  try {
    return await READERS[format](input.bytes);
  } catch (error) {
    if (error instanceof BrokenDocument) throw documentUnreadable(input.filename, error.message);
    const detail = error instanceof Error ? error.message : String(error);
    throw documentUnreadable(input.filename, `the file is not a valid ${format.toUpperCase()} file (${detail})`);
  }
}

function unsupported(filename: string, extension: string, mimeType: string | undefined): KilnError {
  const hint = UNSUPPORTED_HINTS.get(extension);
  if (hint !== undefined) return documentTypeUnsupported(filename, `.${extension} (${hint})`);
  if (extension !== "") return documentTypeUnsupported(filename, `.${extension}`);
  if (mimeType !== undefined && mimeType !== "") return documentTypeUnsupported(filename, mimeType);
  return documentTypeUnsupported(filename, "no file extension or MIME type");
}
