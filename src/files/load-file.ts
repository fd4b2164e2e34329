/**
 * The bytes behind a file record, for the `document-extractor` node (with `extractText`), chat
 * file context and vision: uploads are read from disk within their app; remote files are
 * downloaded through the SSRF guard with a time budget and the size limit of their class.
 */
import type { ContentPart } from "../models/types";
import type { Services } from "../services";
import { findAppUploadFile } from "../store/upload-files";
import { fileNotFound } from "./file-errors";
import type { KilnFile } from "./file-references";
import { storagePath } from "./file-storage";
import { sizeLimitBytes } from "./file-types";
import { filesSettings } from "./files-settings";
import { fetchRemote, readCapped } from "./remote-fetch";

/** The content of a file record; throws a KilnError naming what failed. */
export async function loadFileBytes(services: Services, file: KilnFile): Promise<Uint8Array> {
  if (file.transfer_method !== "remote_url" || file.related_id) {
    const upload = file.related_id ? findAppUploadFile(services.db, file.tenant_id, file.related_id) : undefined;
    if (!upload) throw fileNotFound(`Upload file record not found: ${file.filename}`);
    const blob = Bun.file(storagePath(services.settings.dataDir, upload.storageKey));
    if (!(await blob.exists())) throw fileNotFound(`Failed to load file content: ${file.filename}`);
    return new Uint8Array(await blob.arrayBuffer());
  }
  const settings = filesSettings(services.settings);
  const { response } = await fetchRemote(file.url, {
    method: "GET",
    access: settings.remoteFileAccess,
    signal: AbortSignal.timeout(settings.remoteFileTimeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw fileNotFound(`Failed to load file content: ${file.url} answered ${response.status}`);
  }
  return readCapped(response, sizeLimitBytes(services.settings, file.extension), file.filename);
}

/** A file as a vision content part: the bytes inlined as a `data:` URL. */
export async function imageContentPart(services: Services, file: KilnFile, detail?: "low" | "high"): Promise<ContentPart> {
  const bytes = await loadFileBytes(services, file);
  const url = `data:${file.mime_type || "application/octet-stream"};base64,${Buffer.from(bytes).toString("base64")}`;
  return detail ? { type: "image", url, detail } : { type: "image", url };
}
