/** Document text extraction for the `document-extractor` node and chat file context (§2.17). */
export { type DocumentInput, extractText } from "./extract-text";
export { isExtractable } from "./document-formats";
