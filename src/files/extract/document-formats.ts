/** The readers `extractText` can dispatch to. */
export type DocumentFormat =
  | "text"
  | "html"
  | "csv"
  | "json"
  | "yaml"
  | "vtt"
  | "properties"
  | "pdf"
  | "docx"
  | "xlsx"
  | "pptx"
  | "epub";

/** Formats stored in a binary container; the rest are decoded as text first. */
export const BINARY_FORMATS: ReadonlySet<DocumentFormat> = new Set(["pdf", "docx", "xlsx", "pptx", "epub"]);

/** Extensions read as plain text: Dify's document extractor list (§2.17), source code included. */
const PLAIN_TEXT_EXTENSIONS = [
  "txt", "markdown", "md", "mdx", "xml", "c", "h", "cpp", "hpp", "cc", "cxx", "c++", "py", "js", "ts", "jsx",
  "tsx", "java", "php", "rb", "go", "rs", "swift", "kt", "scala", "sh", "bash", "bat", "ps1", "sql", "r", "m",
  "pl", "lua", "vim", "asm", "s", "css", "scss", "less", "sass", "ini", "cfg", "conf", "toml", "env", "log",
];

const FORMAT_BY_EXTENSION: ReadonlyMap<string, DocumentFormat> = new Map<string, DocumentFormat>([
  ...PLAIN_TEXT_EXTENSIONS.map((extension): [string, DocumentFormat] => [extension, "text"]),
  ["html", "html"],
  ["htm", "html"],
  ["csv", "csv"],
  ["json", "json"],
  ["yaml", "yaml"],
  ["yml", "yaml"],
  ["vtt", "vtt"],
  ["properties", "properties"],
  ["pdf", "pdf"],
  ["docx", "docx"],
  ["xlsx", "xlsx"],
  ["pptx", "pptx"],
  ["epub", "epub"],
]);

const FORMAT_BY_MIME_TYPE: ReadonlyMap<string, DocumentFormat> = new Map<string, DocumentFormat>([
  ["text/plain", "text"],
  ["text/markdown", "text"],
  ["text/x-markdown", "text"],
  ["text/xml", "text"],
  ["application/xml", "text"],
  ["text/html", "html"],
  ["text/htm", "html"],
  ["text/csv", "csv"],
  ["application/json", "json"],
  ["application/x-yaml", "yaml"],
  ["application/yaml", "yaml"],
  ["text/yaml", "yaml"],
  ["text/vtt", "vtt"],
  ["text/properties", "properties"],
  ["application/pdf", "pdf"],
  ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"],
  ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"],
  ["application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"],
  ["application/epub+zip", "epub"],
]);

/** Why formats Dify reads only through extra services are refused here, so the user can convert them. */
export const UNSUPPORTED_HINTS: ReadonlyMap<string, string> = new Map([
  ["doc", "legacy Word documents are not supported; save the file as .docx"],
  ["xls", "legacy Excel workbooks are not supported; save the file as .xlsx"],
  ["ppt", "legacy PowerPoint files are not supported; save the file as .pptx"],
]);

/** `".PDF"` and `"pdf"` name the same extension. */
export function normalizeExtension(extension: string): string {
  return extension.trim().replace(/^\./, "").toLowerCase();
}

/** The extension of a file name, without the dot; empty when it has none. */
export function extensionOf(filename: string): string {
  const base = filename.slice(filename.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : normalizeExtension(base.slice(dot + 1));
}

/** `"text/csv; charset=utf-8"` and `"TEXT/CSV"` name the same type. */
function normalizeMimeType(mimeType: string): string {
  return (mimeType.split(";")[0] ?? "").trim().toLowerCase();
}

/**
 * The format of a file: its extension decides, as in Dify; the MIME type is the fallback for a
 * file without a known extension.
 */
export function resolveFormat(extension: string, mimeType?: string): DocumentFormat | undefined {
  return (
    FORMAT_BY_EXTENSION.get(normalizeExtension(extension)) ??
    (mimeType === undefined ? undefined : FORMAT_BY_MIME_TYPE.get(normalizeMimeType(mimeType)))
  );
}

/**
 * Whether `extractText` can read a file with this extension (with or without the dot) or, failing
 * that, this MIME type. Callers use it to refuse an upload early or to skip non-documents.
 */
export function isExtractable(extension: string, mimeType?: string): boolean {
  return resolveFormat(extension, mimeType) !== undefined;
}
