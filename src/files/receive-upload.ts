/**
 * Receives one `POST /files/upload` body (§4.11) as a stream: the multipart body is parsed part
 * by part (Dicer, from @fastify/busboy), the `file` part goes straight to disk while its bytes
 * are counted and hashed, and the upload is refused as soon as it passes its class's size limit.
 * Nothing is buffered whole. Any failure — a refused part, an oversize file, a client that
 * aborts mid-body — removes the partial file, and the row is written only once the bytes are.
 *
 * Checks, in Dify's order: no `file` part, more than one file part, no MIME type, empty name,
 * invalid characters, name truncation, blacklisted extension, size. Kiln differences: the size
 * check runs while streaming, so an oversize file answers 413 before the rest of the body is
 * read; a second file part under the same name counts as a second file (Werkzeug would keep
 * the first silently).
 */
import { Dicer } from "@fastify/busboy";
import type { Readable } from "node:stream";
import { badRequest, invalidParam, KilnError } from "../errors";
import type { Services } from "../services";
import { nowMicros } from "../store/clock";
import { insertUploadFile, type UploadFile } from "../store/upload-files";
import type { App } from "../store/schema";
import { extensionOf } from "./extract/document-formats";
import { filenameNotExists, fileTooLarge, noFileUploaded, tooManyFiles, unsupportedFileType } from "./file-errors";
import { headerParam, headerValue, mediaType, parseHeader } from "./header-params";
import { ensureStorageFolder, newStorageKey, removeStoredFile } from "./file-storage";
import { largestSizeLimitBytes, sizeLimitBytes } from "./file-types";
import { filesSettings } from "./files-settings";

/** Room for boundaries, part headers and the `user` field on top of the largest file allowed. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
const INVALID_FILENAME_CHARACTERS = /[/\\:*?"<>|]/;
const MAX_NAME_LENGTH = 200;

type PartHeader = Record<string, string[] | undefined>;

/** §4.11 step 6: `name[:200] + "." + ext`, where `name` is everything before the first dot. */
function truncatedName(filename: string, extension: string): string {
  if ([...filename].length <= MAX_NAME_LENGTH) return filename;
  return `${[...filename.split(".")[0]].slice(0, MAX_NAME_LENGTH).join("")}.${extension}`;
}

interface AcceptedPart {
  name: string;
  extension: string;
  mimeType: string;
  limitBytes: number;
}

/** Steps 3–7 on the `file` part's headers; returns the error to answer, or what to store. */
function checkFilePart(services: Services, contentType: string, filename: string): AcceptedPart | KilnError {
  const mimeType = mediaType(contentType);
  if (!mimeType) return unsupportedFileType();
  if (!filename) return filenameNotExists();
  if (INVALID_FILENAME_CHARACTERS.test(filename)) return invalidParam("Filename contains invalid characters");
  const extension = extensionOf(filename);
  const name = truncatedName(filename, extension);
  if (extension && filesSettings(services.settings).extensionBlacklist.has(extension)) {
    return invalidParam(`File extension '.${extension}' is not allowed for security reasons`);
  }
  return { name, extension, mimeType, limitBytes: sizeLimitBytes(services.settings, extension) };
}

/** The file part being written: its path, running size and hash, and when it has ended. */
class StoredPart {
  size = 0;
  readonly hasher = new Bun.CryptoHasher("sha3-256");
  readonly sink: ReturnType<ReturnType<typeof Bun.file>["writer"]>;
  readonly ended: Promise<void>;

  constructor(
    readonly accepted: AcceptedPart,
    readonly fileId: string,
    readonly storageKey: string,
    readonly path: string,
    part: Readable,
    fail: (error: KilnError) => void,
  ) {
    this.sink = Bun.file(path).writer();
    this.ended = new Promise((resolve, reject) => {
      part.on("end", resolve);
      part.on("error", reject);
    });
    // A part's failure reaches the caller through `fail`; this promise only marks the end.
    this.ended.catch(() => {});
    part.on("data", (chunk: Buffer) => {
      this.size += chunk.length;
      if (this.size > accepted.limitBytes) {
        part.removeAllListeners("data");
        part.resume();
        fail(fileTooLarge());
        return;
      }
      this.hasher.update(chunk);
      this.sink.write(chunk);
    });
  }
}

/** The body's chunks; a client that disconnects mid-body is a 400, not a server failure. */
async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    while (true) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read();
      } catch {
        throw badRequest("The upload was interrupted before its body was complete.");
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Streams an upload request to disk and records it. `endUserIdFor` turns the optional `user`
 * form field (which may come after the file) into the creating end user's id.
 */
export async function receiveUpload(
  services: Services,
  app: App,
  request: Request,
  endUserIdFor: (user: string | undefined) => string,
): Promise<UploadFile> {
  const contentType = parseHeader(request.headers.get("content-type"));
  const boundary = headerParam(contentType, "boundary");
  // Flask sees no files in a body that is not multipart: the same answer as a missing part.
  if (headerValue(contentType) !== "multipart/form-data" || !boundary || !request.body) throw noFileUploaded();

  const maxBodyBytes = largestSizeLimitBytes(services.settings) + MULTIPART_OVERHEAD_BYTES;
  if (Number(request.headers.get("content-length") ?? 0) > maxBodyBytes) throw fileTooLarge();

  let failure: KilnError | undefined;
  let rejectFailure: (error: KilnError) => void = () => {};
  const failed = new Promise<never>((_, reject) => (rejectFailure = reject));
  failed.catch(() => {});
  const fail = (error: KilnError) => {
    failure ??= error;
    rejectFailure(failure);
  };

  const filePartNames: string[] = [];
  let headerFailure: KilnError | undefined;
  let stored: StoredPart | undefined;
  let user: string | undefined;
  const fieldsDone: Promise<void>[] = [];

  const dicer = new Dicer({ boundary, maxHeaderPairs: 100 });
  dicer.on("part", (part) => {
    part.on("error", () => fail(badRequest("The multipart body ended unexpectedly.")));
    part.on("header", (rawHeader) => {
      const header = rawHeader as PartHeader;
      const disposition = parseHeader(header["content-disposition"]?.[0]);
      const fieldName = headerParam(disposition, "name");
      const filename = headerParam(disposition, "filename");
      if (headerValue(disposition) !== "form-data" || fieldName === undefined) return void part.resume();
      if (filename === undefined) {
        const chunks: Buffer[] = [];
        part.on("data", (chunk: Buffer) => chunks.push(chunk));
        fieldsDone.push(
          new Promise((resolve) =>
            part.on("end", () => {
              if (fieldName === "user") user = new TextDecoder().decode(Buffer.concat(chunks));
              resolve();
            }),
          ),
        );
        return;
      }
      filePartNames.push(fieldName);
      if (fieldName !== "file" || stored || headerFailure) return void part.resume();
      const checked = checkFilePart(services, header["content-type"]?.[0] ?? "", filename);
      if (checked instanceof KilnError) {
        headerFailure = checked;
        return void part.resume();
      }
      const fileId = crypto.randomUUID();
      const storageKey = newStorageKey(app.id, fileId, checked.extension);
      const path = ensureStorageFolder(services.settings.dataDir, storageKey);
      stored = new StoredPart(checked, fileId, storageKey, path, part, fail);
    });
  });
  const parsed = new Promise<void>((resolve, reject) => {
    dicer.on("finish", resolve);
    dicer.on("error", () => reject(badRequest("The multipart body is malformed or ended unexpectedly.")));
  });
  parsed.catch(() => {});

  try {
    let received = 0;
    for await (const chunk of bodyChunks(request.body)) {
      received += chunk.byteLength;
      if (received > maxBodyBytes) fail(fileTooLarge());
      if (failure) throw failure;
      const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      await Promise.race([new Promise<void>((resolve) => dicer.write(buffer, () => resolve())), failed, parsed.then(() => {})]);
      if (stored) await stored.sink.flush();
    }
    dicer.end();
    await Promise.race([parsed, failed]);
    if (stored) await Promise.race([stored.ended, failed]);
    await Promise.all(fieldsDone);
    if (failure) throw failure;

    if (!filePartNames.includes("file")) throw noFileUploaded();
    if (filePartNames.length > 1) throw tooManyFiles();
    if (headerFailure) throw headerFailure;
    if (!stored) throw noFileUploaded();

    await stored.sink.end();
    const row: UploadFile = {
      id: stored.fileId,
      appId: app.id,
      name: stored.accepted.name,
      size: stored.size,
      extension: stored.accepted.extension,
      mimeType: stored.accepted.mimeType,
      storageKey: stored.storageKey,
      hash: stored.hasher.digest("hex"),
      createdByEndUserId: endUserIdFor(user),
      used: false,
      createdAt: nowMicros(),
    };
    insertUploadFile(services.db, row);
    return row;
  } catch (error) {
    if (stored) {
      await Promise.resolve(stored.sink.end()).catch(() => {});
      await removeStoredFile(stored.path);
    }
    throw error;
  } finally {
    dicer.removeAllListeners("part");
    dicer.destroy();
  }
}
