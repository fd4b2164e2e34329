/**
 * `document-extractor` (§2.17): the text of a file, or of each file in a list. Output `text` is a
 * string for one file and an array of strings for a list (`[]` for an empty or missing one). A
 * file whose content cannot be loaded, whose format has no reader, or whose content is broken
 * fails the node with a message naming the file.
 */
import { extractText } from "../../files/extract/index.ts";
import { pythonStr } from "../python-format.ts";
import type { WorkflowFile } from "../segments.ts";
import type { EngineServices } from "../services.ts";
import { NodeFailure, readSelector, type NodeRunner } from "./node.ts";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function documentText(services: EngineServices, file: WorkflowFile, inputs: Record<string, unknown>): Promise<string> {
  const filename = file.filename ?? "";
  if (!services.files) throw new NodeFailure(`Failed to download file: ${filename}: file contents are not available in this run`, "FileDownloadError", inputs);
  let bytes: Uint8Array;
  try {
    bytes = await services.files.load(file);
  } catch (error) {
    throw new NodeFailure(`Failed to download file: ${filename}: ${message(error)}`, "FileDownloadError", inputs);
  }
  try {
    return await extractText({ bytes, filename, extension: file.extension ?? undefined, mimeType: file.mime_type ?? undefined });
  } catch (error) {
    throw new NodeFailure(message(error), "DocumentExtractorError", inputs);
  }
}

export const documentExtractorNode: NodeRunner = {
  async run({ node, pool, services }) {
    const selector = readSelector(node.data.variable_selector, "variable_selector");
    const inputs = { variable_selector: selector };
    const segment = pool.get(selector);
    // Dify prints the selector as a Python list in these two messages.
    if (!segment) throw new NodeFailure(`File variable not found for selector: ${pythonStr(selector)}`, "DocumentExtractorError", inputs);
    const isFileSegment = segment.type === "file" || segment.type === "array[file]";
    const isEmpty = segment.value === null || (Array.isArray(segment.value) && segment.value.length === 0);
    if (!isFileSegment && !isEmpty) {
      throw new NodeFailure(`Variable ${pythonStr(selector)} is not an ArrayFileSegment`, "DocumentExtractorError", inputs);
    }
    if (segment.type === "file") {
      const file = segment.value as WorkflowFile;
      return { inputs, processData: { documents: [file] }, outputs: { text: await documentText(services, file, inputs) } };
    }
    const files = Array.isArray(segment.value) ? (segment.value as (WorkflowFile | null)[]).filter((file) => file !== null) : [];
    const text: string[] = [];
    for (const file of files) text.push(await documentText(services, file, inputs));
    return { inputs, processData: { documents: files }, outputs: { text } };
  },
};
