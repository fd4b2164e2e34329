/**
 * Typed values of the variable pool (§3.2). A segment is a raw JSON-like value plus the type
 * Dify infers for it; the type decides how templates render it (§1.9) and which if-else and
 * assigner operations apply. Files are plain objects in Dify's File JSON form.
 */
import { pythonJsonDumps, pythonNumber, pythonStr } from "./python-format.ts";

export type SegmentType =
  | "string"
  | "integer"
  | "float"
  | "number"
  | "boolean"
  | "object"
  | "secret"
  | "file"
  | "none"
  | "array[any]"
  | "array[string]"
  | "array[number]"
  | "array[object]"
  | "array[boolean]"
  | "array[file]";

/** Dify's File JSON form (§3.2); `dify_model_identity` marks an object as a file. */
export interface WorkflowFile {
  dify_model_identity: "__dify__file__";
  id?: string | null;
  tenant_id?: string;
  type: "image" | "document" | "audio" | "video" | "custom";
  transfer_method: "remote_url" | "local_file" | "tool_file" | "datasource_file";
  remote_url?: string | null;
  related_id?: string | null;
  filename?: string | null;
  extension?: string | null;
  mime_type?: string | null;
  size?: number;
  url?: string | null;
  [key: string]: unknown;
}

export interface Segment {
  type: SegmentType;
  value: unknown;
}

/** File attributes a selector may read one level into (§3.1). */
export const FILE_ATTRIBUTES = [
  "type",
  "size",
  "name",
  "mime_type",
  "transfer_method",
  "url",
  "extension",
  "related_id",
] as const;

export function isFile(value: unknown): value is WorkflowFile {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { dify_model_identity?: unknown }).dify_model_identity === "__dify__file__"
  );
}

/** The URL a file is shown with: the signed url when known, else the remote one. */
export function fileUrl(file: WorkflowFile): string {
  return file.url ?? file.remote_url ?? "";
}

/** Reads one file attribute as Dify's `file_manager.get_attr` does (`name` is the filename). */
export function fileAttribute(file: WorkflowFile, attribute: string): unknown {
  switch (attribute) {
    case "name":
      return file.filename ?? null;
    case "url":
      return fileUrl(file) || null;
    default:
      return (file as Record<string, unknown>)[attribute] ?? null;
  }
}

function scalarType(value: unknown): SegmentType {
  if (value === null || value === undefined) return "none";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "float";
  if (Array.isArray(value)) return "array[any]";
  if (isFile(value)) return "file";
  return "object";
}

/** Type inference for a raw value written to the pool (§3.2, checks in Dify's order). */
export function inferSegmentType(value: unknown): SegmentType {
  if (!Array.isArray(value)) return scalarType(value);
  if (value.length === 0) return "array[any]";
  const elementTypes = new Set(value.map(scalarType));
  if (elementTypes.size === 1) {
    const [only] = elementTypes as Set<SegmentType>;
    if (only === "integer" || only === "float") return "array[number]";
    if (only === "string" || only === "boolean" || only === "object" || only === "file")
      return `array[${only}]` as SegmentType;
    return "array[any]";
  }
  if ([...elementTypes].every((type) => type === "integer" || type === "float")) return "array[number]";
  return "array[any]";
}

/** Builds a segment, keeping a declared type when it fits the value (e.g. `float` for `1.0`). */
export function toSegment(value: unknown, declaredType?: SegmentType): Segment {
  const normalised = value === undefined ? null : value;
  const inferred = inferSegmentType(normalised);
  if (declaredType && normalised !== null) {
    if (declaredType === "float" && typeof normalised === "number") return { type: "float", value: normalised };
    if (declaredType === "secret" && typeof normalised === "string") return { type: "secret", value: normalised };
    if (declaredType.startsWith("array[") && Array.isArray(normalised) && normalised.length === 0)
      return { type: declaredType, value: normalised };
  }
  return { type: inferred, value: normalised };
}

export function isArrayType(type: SegmentType): boolean {
  return type.startsWith("array[");
}

function fileMarkdown(file: WorkflowFile): string {
  const name = file.filename ?? "";
  return file.type === "image" ? `![${name}](${fileUrl(file)})` : `[${name}](${fileUrl(file)})`;
}

/** `.text` rendering (§1.9): used by prompts, HTTP parameters, if-else expected values. */
export function segmentText(segment: Segment): string {
  const { type, value } = segment;
  switch (type) {
    case "none":
    case "file":
    case "array[file]":
      return "";
    case "string":
    case "secret":
      return value as string;
    case "float":
      return pythonNumber(value as number, true);
    case "object":
      return pythonJsonDumps(value);
    case "array[string]":
      return (value as unknown[]).length === 0 ? "" : pythonJsonDumps(value);
    default:
      if (Array.isArray(value)) return value.length === 0 ? "" : pythonStr(value);
      return pythonStr(value);
  }
}

/** `.markdown` rendering (§1.9): what Answer nodes and the stream filter show. */
export function segmentMarkdown(segment: Segment): string {
  const { type, value } = segment;
  switch (type) {
    case "object":
      return pythonJsonDumps(value, 2);
    case "file":
      return fileMarkdown(value as WorkflowFile);
    case "array[file]":
      return (value as WorkflowFile[]).map(fileMarkdown).join("\n");
    case "array[string]":
    case "array[number]":
    case "array[object]":
    case "array[boolean]":
    case "array[any]":
      return (value as unknown[]).map((item) => `- ${isFile(item) ? fileMarkdown(item) : pythonStr(item)}`).join("\n");
    default:
      return segmentText(segment);
  }
}

/** The zero value a `clear` gives each type (§2.13). */
export function zeroValue(type: SegmentType): unknown {
  switch (type) {
    case "string":
    case "secret":
      return "";
    case "integer":
    case "float":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "object":
      return {};
    case "file":
    case "none":
      return null;
    default:
      return [];
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !isFile(value);

export const isNumberType = (type: SegmentType) => type === "integer" || type === "float" || type === "number";

function elementFits(arrayType: SegmentType, item: unknown): boolean {
  switch (arrayType) {
    case "array[string]":
      return typeof item === "string";
    case "array[number]":
      return typeof item === "number";
    case "array[boolean]":
      return typeof item === "boolean";
    case "array[object]":
      return isPlainObject(item);
    case "array[file]":
      return isFile(item);
    default:
      return typeof item === "string" || typeof item === "number" || isPlainObject(item);
  }
}

/**
 * Whether a value may be stored in a variable of this type: the assigner's rule, and the type
 * check of the conversation-variables API (§4.21). `array[any]` takes strings, numbers and objects.
 */
export function valueFitsType(type: SegmentType, value: unknown): boolean {
  if (isArrayType(type)) return Array.isArray(value) && value.every((item) => elementFits(type, item));
  if (isNumberType(type)) return typeof value === "number";
  if (type === "string" || type === "secret") return typeof value === "string";
  if (type === "boolean") return typeof value === "boolean";
  if (type === "object") return isPlainObject(value);
  if (type === "file") return isFile(value);
  return true;
}
