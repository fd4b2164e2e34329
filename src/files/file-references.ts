/**
 * File references in generation requests (§5.2): a request's `files` list and file-typed
 * `inputs` name uploads (`local_file` + `upload_file_id`) or URLs (`remote_url` + `url`). They
 * become `KilnFile` records, the §8.3 file dict, checked against the app's `file_upload` rules
 * with Dify's messages. Uploads are looked up in the requesting app only: a file uploaded with
 * another app's key is an `Invalid upload file`.
 */
import { invalidParam } from "../errors";
import type { Services } from "../services";
import type { App } from "../store/schema";
import { findAppUploadFile, type UploadFile } from "../store/upload-files";
import { extensionOf } from "./extract/document-formats";
import type { FileUploadConfig, TransferMethod } from "./file-upload-config";
import { detectFileType, extensionOfMimeType, FILE_TYPES, type FileType, mimeTypeOfExtension } from "./file-types";
import { filesSettings } from "./files-settings";
import { headerParam, mediaType, parseHeader } from "./header-params";
import { isUuid } from "../uuid";
import { fetchRemote, parseRemoteUrl } from "./remote-fetch";
import { signFileUrl } from "./signed-url";

/**
 * §8.3: the file dict of `sys.files`, file inputs, node outputs and `message_end.files`. A type
 * alias rather than an interface so it is assignable to the engine's open `WorkflowFile`.
 */
export type KilnFile = {
  dify_model_identity: "__dify__file__";
  /** The message-file id once the file is attached to a message. */
  id: string | null;
  /** The owning app (Dify's tenant). */
  tenant_id: string;
  type: FileType;
  transfer_method: TransferMethod;
  remote_url: string | null;
  /** The upload's id for `local_file`. */
  related_id: string | null;
  filename: string;
  /** With the dot: `.png`. */
  extension: string;
  mime_type: string;
  /** -1 when unknown (a remote file whose server sent no length). */
  size: number;
  /** A signed download link for uploads, the URL itself for remote files. */
  url: string;
};

export interface ResolveOptions {
  /** Workflow apps over the service API: the detected type must equal the given one. */
  strictType?: boolean;
}

/** The §5.3 HEAD probe has Dify's 5 s budget. */
const PROBE_TIMEOUT_MS = 5_000;

type Json = Record<string, unknown>;

function specifiedType(value: unknown): FileType | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (!FILE_TYPES.includes(value as FileType)) throw invalidParam(`'${String(value)}' is not a valid FileType`);
  return value as FileType;
}

/** Dify's rule: `custom` stays custom; strict mode refuses a type the file does not have. */
function resolveType(detected: FileType, specified: FileType | undefined, strict: boolean): FileType {
  if (!specified) return detected;
  if (specified === "custom") return "custom";
  if (strict && detected !== specified) {
    throw invalidParam("Detected file type does not match the specified type. Please verify the file.");
  }
  return specified;
}

function findUpload(services: Services, app: App, id: unknown): UploadFile {
  if (typeof id !== "string" || id === "") throw invalidParam("Invalid upload file id");
  if (!isUuid(id)) throw invalidParam("Invalid upload file id format");
  const upload = findAppUploadFile(services.db, app.id, id);
  if (!upload) throw invalidParam("Invalid upload file");
  return upload;
}

function fileFromUpload(services: Services, app: App, upload: UploadFile, mapping: Json, method: TransferMethod, strict: boolean): KilnFile {
  const extension = upload.extension ? `.${upload.extension}` : "";
  const url = signFileUrl(services, upload.id);
  return {
    dify_model_identity: "__dify__file__",
    id: typeof mapping.id === "string" ? mapping.id : null,
    tenant_id: app.id,
    type: resolveType(detectFileType(upload.extension, upload.mimeType), specifiedType(mapping.type), strict),
    transfer_method: method,
    // §5.2: a remote_url mapping that names an upload uses it, with its signed link as the URL.
    remote_url: method === "remote_url" ? url : null,
    related_id: upload.id,
    filename: upload.name,
    extension,
    mime_type: upload.mimeType,
    size: upload.size,
    url,
  };
}

function lastPathSegment(url: URL): string {
  const segment = url.pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** What a HEAD request tells about a remote file: name, MIME type, size (§5.2). */
async function probeRemoteFile(services: Services, url: string) {
  let filename = lastPathSegment(parseRemoteUrl(url)) || "unknown_file";
  let mimeType = mimeTypeOfExtension(extensionOf(filename)) ?? "";
  let size = -1;
  const { response } = await fetchRemote(url, {
    method: "HEAD",
    access: filesSettings(services.settings).remoteFileAccess,
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (response.status === 200) {
    const disposed = headerParam(parseHeader(response.headers.get("content-disposition")), "filename");
    if (disposed) filename = disposed;
    const length = Number(response.headers.get("content-length") ?? Number.NaN);
    if (Number.isInteger(length) && length >= 0) size = length;
    if (!mimeType) mimeType = mediaType(response.headers.get("content-type"));
  }
  return { filename, mimeType, size };
}

async function fileFromRemoteUrl(services: Services, app: App, mapping: Json, url: string, strict: boolean): Promise<KilnFile> {
  const { filename, mimeType, size } = await probeRemoteFile(services, url);
  const bare = extensionOf(filename);
  const extension = bare ? `.${bare}` : (extensionOfMimeType(mimeType) ?? ".bin");
  return {
    dify_model_identity: "__dify__file__",
    id: typeof mapping.id === "string" ? mapping.id : null,
    tenant_id: app.id,
    type: resolveType(detectFileType(extension, mimeType), specifiedType(mapping.type), strict),
    transfer_method: "remote_url",
    remote_url: url,
    related_id: null,
    filename,
    extension,
    mime_type: mimeType,
    size,
    url,
  };
}

async function resolveOne(services: Services, app: App, mapping: Json, strict: boolean): Promise<KilnFile> {
  const method = mapping.transfer_method;
  switch (method) {
    case "local_file":
      return fileFromUpload(services, app, findUpload(services, app, mapping.upload_file_id), mapping, method, strict);
    case "remote_url": {
      if (mapping.upload_file_id) return fileFromUpload(services, app, findUpload(services, app, mapping.upload_file_id), mapping, method, strict);
      const url = mapping.url ?? mapping.remote_url;
      if (typeof url !== "string" || !url) throw invalidParam("Invalid file url");
      return fileFromRemoteUrl(services, app, mapping, url, strict);
    }
    // Kiln keeps no tool or datasource files, so no id can name one.
    case "tool_file":
      throw invalidParam(`ToolFile ${String(mapping.tool_file_id ?? mapping.related_id ?? null)} not found`);
    case "datasource_file":
      throw invalidParam(`DatasourceFile ${String(mapping.datasource_file_id ?? mapping.related_id ?? null)} not found`);
    default:
      throw invalidParam(`Invalid file transfer method: ${String(method)}`);
  }
}

/** §5.2 checks of one file against the rules, using the type the client gave (custom if none). */
function isAllowed(file: KilnFile, givenType: FileType, config: FileUploadConfig): boolean {
  if (config.allowedFileTypes.length > 0 && givenType !== "custom" && !config.allowedFileTypes.includes(givenType)) return false;
  if (givenType === "custom" && !config.allowedFileExtensions.includes(file.extension.toLowerCase())) return false;
  if (file.transfer_method === "tool_file") return true;
  const methods = givenType === "image" ? config.image.transferMethods : config.allowedFileUploadMethods;
  return methods.length === 0 || methods.includes(file.transfer_method);
}

/** Mappings Dify skips silently inside lists: no transfer method, or a remote URL without one. */
function isUsableMapping(value: unknown): value is Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const mapping = value as Json;
  if (!mapping.transfer_method) return false;
  return mapping.transfer_method !== "remote_url" || Boolean(mapping.url ?? mapping.remote_url ?? mapping.upload_file_id);
}

/**
 * Turns file mappings into file records, in order. With `config`, each file must pass the app's
 * rules (400 `File validation failed for file: <name>`) and the counts their limits; without
 * it nothing is checked. For a request's top-level `files`, pass `fileUploadConfigOf(feature)`
 * and skip the call when that is undefined: Dify ignores `files` when upload is disabled.
 */
export async function resolveFileReferences(
  services: Services,
  app: App,
  mappings: unknown,
  config: FileUploadConfig | undefined,
  options: ResolveOptions = {},
): Promise<KilnFile[]> {
  const list = Array.isArray(mappings) ? mappings : [];
  const files: KilnFile[] = [];
  for (const mapping of list.filter(isUsableMapping)) {
    const file = await resolveOne(services, app, mapping, options.strictType ?? false);
    if (config && !isAllowed(file, specifiedType(mapping.type) ?? "custom", config)) {
      throw invalidParam(`File validation failed for file: ${file.filename}`);
    }
    files.push(file);
  }
  if (config) {
    const images = files.filter((file) => file.type === "image").length;
    if (images > config.image.numberLimits) {
      throw invalidParam(`Number of image files exceeds the maximum limit ${config.image.numberLimits}`);
    }
    if (config.numberLimits && files.length > config.numberLimits) {
      throw invalidParam(`Number of files exceeds the maximum limit ${config.numberLimits}`);
    }
  }
  return files;
}
