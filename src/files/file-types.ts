/**
 * File type classes (§5.2): the extension decides the class, then the MIME type. The same
 * class picks the upload size limit (§10.1), so one table serves upload, references and loads.
 */
import type { Settings } from "../config";
import { normalizeExtension } from "./extract/document-formats";

export type FileType = "image" | "document" | "audio" | "video" | "custom";

export const FILE_TYPES: readonly FileType[] = ["image", "document", "audio", "video", "custom"];

// §5.2 table, default ETL: Kiln extracts with its own readers, so the Unstructured-only
// extensions are not promised.
const EXTENSIONS_BY_TYPE: Record<Exclude<FileType, "custom">, readonly string[]> = {
  image: ["jpg", "jpeg", "png", "webp", "gif", "svg"],
  video: ["mp4", "mov", "mpeg", "webm"],
  audio: ["mp3", "m4a", "wav", "amr", "mpga"],
  document: ["txt", "markdown", "md", "mdx", "pdf", "html", "htm", "xlsx", "xls", "docx", "csv", "vtt", "properties"],
};

const TYPE_BY_EXTENSION = new Map<string, FileType>(
  Object.entries(EXTENSIONS_BY_TYPE).flatMap(([type, extensions]) => extensions.map((extension) => [extension, type as FileType])),
);

/** The class of an extension (with or without the dot, any case); undefined when it names none. */
export function fileTypeOfExtension(extension: string): FileType | undefined {
  return TYPE_BY_EXTENSION.get(normalizeExtension(extension));
}

/** Dify's MIME fallback: substring matches, `text` and `pdf` meaning a document. */
export function fileTypeOfMimeType(mimeType: string): FileType {
  if (mimeType.includes("image")) return "image";
  if (mimeType.includes("video")) return "video";
  if (mimeType.includes("audio")) return "audio";
  if (mimeType.includes("text") || mimeType.includes("pdf")) return "document";
  return "custom";
}

/** The detected class of a file: by extension, else by MIME type, else `custom`. */
export function detectFileType(extension: string, mimeType: string): FileType {
  return fileTypeOfExtension(extension) ?? (mimeType ? fileTypeOfMimeType(mimeType) : "custom");
}

/**
 * The size limit in bytes for a file with this extension (§10.1): images, video and audio have
 * their own setting, everything else shares `UPLOAD_FILE_SIZE_LIMIT`. The check is `size <= limit`.
 */
export function sizeLimitBytes(settings: Settings, extension: string): number {
  const megabytes = {
    image: settings.uploadImageSizeLimitMb,
    video: settings.uploadVideoSizeLimitMb,
    audio: settings.uploadAudioSizeLimitMb,
  }[fileTypeOfExtension(extension) as string] ?? settings.uploadFileSizeLimitMb;
  return megabytes * 1024 * 1024;
}

/** The largest limit of any class: what a whole upload body may approach. */
export function largestSizeLimitBytes(settings: Settings): number {
  const largest = Math.max(
    settings.uploadImageSizeLimitMb,
    settings.uploadVideoSizeLimitMb,
    settings.uploadAudioSizeLimitMb,
    settings.uploadFileSizeLimitMb,
  );
  return largest * 1024 * 1024;
}

/** The MIME type an extension names (Bun's table), without parameters; undefined when unknown. */
export function mimeTypeOfExtension(extension: string): string | undefined {
  const normalized = normalizeExtension(extension);
  if (!normalized) return undefined;
  const type = (Bun.file(`file.${normalized}`).type.split(";")[0] ?? "").trim().toLowerCase();
  return type === "application/octet-stream" ? undefined : type;
}

/** A known extension (with the dot) for a MIME type, for remote files whose name has none. */
export function extensionOfMimeType(mimeType: string): string | undefined {
  const wanted = (mimeType.split(";")[0] ?? "").trim().toLowerCase();
  const match = [...TYPE_BY_EXTENSION.keys()].find((extension) => mimeTypeOfExtension(extension) === wanted);
  return match ? `.${match}` : undefined;
}
