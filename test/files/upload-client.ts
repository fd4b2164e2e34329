/**
 * Builds multipart bodies byte by byte, so tests control what clients' FormData would hide: a
 * part without Content-Type, an empty or path-like filename, several file parts.
 */
import type { TestServer } from "../harness";

export interface Part {
  name: string;
  /** Present for file parts; may be "" or contain path characters. */
  filename?: string;
  /** Omitted: the part carries no Content-Type header. */
  contentType?: string;
  body: string | Uint8Array;
}

export const BOUNDARY = "----kiln-test-boundary-7f3a";

export function multipartBody(parts: Part[]): Uint8Array {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    let head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename.replaceAll('"', '\\"')}"`;
    head += "\r\n";
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(encoder.encode(`${head}\r\n`), typeof part.body === "string" ? encoder.encode(part.body) : part.body, encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/** One file part named `file`, plus an optional `user` field. */
export function filePart(filename: string, body: string | Uint8Array, contentType = "application/octet-stream"): Part {
  return { name: "file", filename, contentType, body };
}

export function userPart(user: string): Part {
  return { name: "user", body: user };
}

export function postUpload(server: TestServer, key: string, parts: Part[]): Promise<Response> {
  return server.request("/v1/files/upload", {
    method: "POST",
    key,
    headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipartBody(parts),
  });
}

/** Uploads a file as `user` and returns the §4.11 body, failing loudly on anything but 201. */
export async function uploadFile(
  server: TestServer,
  key: string,
  filename: string,
  body: string | Uint8Array,
  contentType: string,
  user = "alice",
): Promise<Record<string, unknown> & { id: string; source_url: string }> {
  const response = await postUpload(server, key, [filePart(filename, body, contentType), userPart(user)]);
  const json = (await response.json()) as Record<string, unknown> & { id: string; source_url: string };
  if (response.status !== 201) throw new Error(`upload of ${filename} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}
