/**
 * Serves a stored upload (§4.12, §10.2): streamed from disk, with byte ranges, attachment names
 * in UTF-8, and the safety rules below.
 *
 * What a browser may render inline is decided from the pair (extension, declared MIME type),
 * because the MIME type is whatever the uploading client said:
 * - HTML and XHTML (by MIME type or extension) are always a download (§4.12).
 * - The declared type must agree with the extension: equal to the type the extension names, or
 *   of the same media class (image/audio/video/text) and not active content (SVG, XML, script).
 *   A file whose extension names no type keeps a passive declared type. Anything else — `.exe`
 *   declared `image/png`, `.png` declared `image/svg+xml` — is sent as an
 *   `application/octet-stream` download.
 * - Every answer carries `X-Content-Type-Options: nosniff`, so a PDF body named `.png` and
 *   declared `image/png` is shown as a (broken) image, never sniffed into a PDF or a page, and
 *   `Content-Security-Policy: sandbox`, so an SVG opened directly runs no script.
 */
import type { UploadFile } from "../store/upload-files";
import { fileNotFound } from "./file-errors";
import { storagePath } from "./file-storage";
import { mimeTypeOfExtension } from "./file-types";

const OCTET_STREAM = "application/octet-stream";
const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);
const HTML_EXTENSIONS = new Set(["html", "htm", "xhtml"]);
const MEDIA_CLASSES = new Set(["image", "audio", "video", "text"]);
const ACTIVE_CONTENT = /svg|xml|html|javascript|ecmascript/;

export interface FileResponseOptions {
  asAttachment: boolean;
  /** The request's `Range` header. */
  range: string | null;
  /** `/v1` previews are cacheable for an hour; signed links are not (§10.2). */
  cacheable: boolean;
}

const baseType = (mimeType: string) => (mimeType.split(";")[0] ?? "").trim().toLowerCase();

function isConsistent(extension: string, declared: string): boolean {
  const expected = mimeTypeOfExtension(extension) ?? OCTET_STREAM;
  if (declared === expected) return true;
  if (ACTIVE_CONTENT.test(declared)) return false;
  if (expected === OCTET_STREAM) return true;
  const declaredClass = declared.split("/")[0];
  return declaredClass === expected.split("/")[0] && MEDIA_CLASSES.has(declaredClass);
}

/** `attachment; filename*=UTF-8''…` with every byte outside RFC 5987's attr-char encoded. */
function contentDisposition(kind: "attachment" | "inline", name: string): string {
  if (!name) return kind;
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename*=UTF-8''${encoded}`;
}

type ByteRange = { start: number; end: number } | "unsatisfiable" | undefined;

/** One `bytes=` range; several ranges or bad syntax are ignored and the whole file is sent. */
function parseRange(header: string | null, size: number): ByteRange {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/** The preview response for a stored upload; 404 `file_not_found` when its bytes are gone. */
export async function fileResponse(dataDir: string, file: UploadFile, options: FileResponseOptions): Promise<Response> {
  const blob = Bun.file(storagePath(dataDir, file.storageKey));
  if (!(await blob.exists())) throw fileNotFound("Failed to load file content: the stored file is missing");

  const declared = baseType(file.mimeType);
  const isHtml = HTML_TYPES.has(declared) || HTML_EXTENSIONS.has(file.extension);
  const download = isHtml || options.asAttachment || !isConsistent(file.extension, declared);
  const headers: Record<string, string> = {
    "Content-Type": download ? OCTET_STREAM : file.mimeType,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    "Accept-Ranges": "bytes",
  };
  // Inline answers name the file too: Bun would otherwise name it after the storage key.
  headers["Content-Disposition"] = contentDisposition(download ? "attachment" : "inline", file.name);
  if (options.cacheable) headers["Cache-Control"] = "public, max-age=3600";

  const size = blob.size;
  const range = parseRange(options.range, size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${size}` } });
  }
  if (range) {
    headers["Content-Range"] = `bytes ${range.start}-${range.end}/${size}`;
    headers["Content-Length"] = String(range.end - range.start + 1);
    return new Response(blob.slice(range.start, range.end + 1), { status: 206, headers });
  }
  if (size > 0) headers["Content-Length"] = String(size);
  return new Response(blob, { status: 200, headers });
}
