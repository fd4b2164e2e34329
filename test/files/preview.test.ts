import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { nowMicros } from "../../src/store/clock";
import { conversations, messages } from "../../src/store/schema";
import { insertMessageFiles } from "../../src/store/upload-files";
import { startTestServer, type TestServer } from "../harness";
import { uploadFile } from "./upload-client";

let server: TestServer;
let appA: { apiKey: string; appId: string };
let appB: { apiKey: string; appId: string };
const audio = Uint8Array.from({ length: 1000 }, (_, index) => index % 256);

beforeAll(async () => {
  server = await startTestServer();
  appA = server.importApp("chat.yml");
  appB = server.importApp("chat.yml");
});
afterAll(() => server.stop());

const preview = (key: string, id: string, query = "user=alice", headers: Record<string, string> = {}) =>
  server.request(`/v1/files/${id}/preview?${query}`, { key, headers });

async function expectError(response: Response, status: number, code: string, message?: string) {
  const body = (await response.json()) as { code: string; message: string };
  expect({ status: response.status, code: body.code }).toEqual({ status, code });
  if (message !== undefined) expect(body.message).toBe(message);
}

/** Attaches an upload to a new message of the app, as a chat runner would. */
function attachToMessage(appId: string, uploadFileId: string): void {
  const db = server.services.db;
  const conversationId = crypto.randomUUID();
  const messageId = crypto.randomUUID();
  const now = nowMicros();
  db.insert(conversations).values({ id: conversationId, appId, endUserId: "someone", mode: "chat", name: "c", inputs: {}, createdAt: now, updatedAt: now }).run();
  db.insert(messages).values({ id: messageId, appId, conversationId, endUserId: "someone", query: "q", inputs: {}, metadata: {}, createdAt: now, updatedAt: now }).run();
  insertMessageFiles(db, [
    { id: crypto.randomUUID(), messageId, appId, type: "image", transferMethod: "local_file", url: null, belongsTo: "user", uploadFileId, createdAt: now },
  ]);
}

describe("GET /v1/files/{id}/preview", () => {
  test("streams the file with its type, length and an hour of caching", async () => {
    const file = await uploadFile(server, appA.apiKey, "song.mp3", audio, "audio/mpeg");
    const response = await preview(appA.apiKey, file.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("audio/mpeg");
    expect(response.headers.get("content-length")).toBe("1000");
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-disposition")).toBe("inline; filename*=UTF-8''song.mp3");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(audio);
  });

  test("answers byte ranges with 206 and unsatisfiable ones with 416", async () => {
    const file = await uploadFile(server, appA.apiKey, "clip.mp4", audio, "video/mp4");
    const middle = await preview(appA.apiKey, file.id, "user=alice", { Range: "bytes=100-199" });
    expect(middle.status).toBe(206);
    expect(middle.headers.get("content-range")).toBe("bytes 100-199/1000");
    expect(middle.headers.get("content-length")).toBe("100");
    expect(new Uint8Array(await middle.arrayBuffer())).toEqual(audio.slice(100, 200));

    const suffix = await preview(appA.apiKey, file.id, "user=alice", { Range: "bytes=-10" });
    expect(suffix.headers.get("content-range")).toBe("bytes 990-999/1000");
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(audio.slice(990));

    const open = await preview(appA.apiKey, file.id, "user=alice", { Range: "bytes=995-" });
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(audio.slice(995));

    const beyond = await preview(appA.apiKey, file.id, "user=alice", { Range: "bytes=1000-1010" });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */1000");

    const several = await preview(appA.apiKey, file.id, "user=alice", { Range: "bytes=0-1,5-6" });
    expect(several.status).toBe(200);
    expect((await several.arrayBuffer()).byteLength).toBe(1000);
  });

  test("as_attachment sends a download with the UTF-8 name", async () => {
    const file = await uploadFile(server, appA.apiKey, "报告 ü (1).pdf", "%PDF-1.4", "application/pdf");
    const response = await preview(appA.apiKey, file.id, "user=alice&as_attachment=true");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toBe(
      "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%C3%BC%20%281%29.pdf",
    );
    const inline = await preview(appA.apiKey, file.id);
    expect(inline.headers.get("content-type")).toBe("application/pdf");
    expect(inline.headers.get("content-disposition")).toBe("inline; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%C3%BC%20%281%29.pdf");
  });

  test("HTML and XHTML are always downloads", async () => {
    for (const [name, mimeType] of [["page.html", "text/html"], ["page.xhtml", "application/xhtml+xml"], ["page.txt", "text/html"]]) {
      const file = await uploadFile(server, appA.apiKey, name, "<script>alert(1)</script>", mimeType);
      const response = await preview(appA.apiKey, file.id);
      expect(response.headers.get("content-type")).toBe("application/octet-stream");
      expect(response.headers.get("content-disposition")).toStartWith("attachment; filename*=UTF-8''page.");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  test("a MIME type that disagrees with the extension is never served inline", async () => {
    const spoofs: [string, string][] = [
      ["setup.exe", "image/png"],
      ["icon.png", "image/svg+xml"],
      ["notes.txt", "application/javascript"],
    ];
    for (const [name, mimeType] of spoofs) {
      const file = await uploadFile(server, appA.apiKey, name, "payload", mimeType);
      const response = await preview(appA.apiKey, file.id);
      expect({ name, type: response.headers.get("content-type") }).toEqual({ name, type: "application/octet-stream" });
      expect(response.headers.get("content-disposition")).toStartWith("attachment");
    }
    // A PDF body named and declared as PNG stays a PNG: nosniff stops browsers reading it as a PDF.
    const disguised = await uploadFile(server, appA.apiKey, "scan.png", "%PDF-1.7\n%âãÏÓ", "image/png");
    const response = await preview(appA.apiKey, disguised.id);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe("sandbox");
  });

  test("unknown and malformed ids answer 404", async () => {
    await expectError(await preview(appA.apiKey, "not-a-uuid"), 404, "file_not_found");
    await expectError(await preview(appA.apiKey, crypto.randomUUID()), 404, "file_not_found", "File not found in message context");
  });

  test("an unattached upload is visible only to its uploader in its own app", async () => {
    const file = await uploadFile(server, appA.apiKey, "mine.txt", "mine", "text/plain", "alice");
    expect((await preview(appA.apiKey, file.id, "user=alice")).status).toBe(200);
    await expectError(await preview(appA.apiKey, file.id, "user=mallory"), 404, "file_not_found", "File not found in message context");
    await expectError(await preview(appA.apiKey, file.id, ""), 404, "file_not_found");
    await expectError(await preview(appB.apiKey, file.id, "user=alice"), 404, "file_not_found", "File not found in message context");
  });

  test("an attached upload is visible to every user of its app and refused to other apps", async () => {
    const file = await uploadFile(server, appA.apiKey, "shared.txt", "shared", "text/plain", "alice");
    attachToMessage(appA.appId, file.id);
    expect(await (await preview(appA.apiKey, file.id, "user=mallory")).text()).toBe("shared");
    await expectError(
      await preview(appB.apiKey, file.id, "user=alice"),
      403,
      "file_access_denied",
      "File access denied: not owned by requesting app",
    );
  });
});

describe("signed links /files/{id}/file-preview", () => {
  /** Signs as §10.2 describes, independently of Kiln's own signer. */
  function signedPath(id: string, timestamp: number, nonce = "0123456789abcdef0123456789abcdef"): string {
    const secret = readFileSync(join(server.dataDir, "secret.key"), "utf8").trim();
    const sign = createHmac("sha256", secret).update(`file-preview|${id}|${timestamp}|${nonce}`).digest("base64url");
    const padded = sign + "=".repeat((4 - (sign.length % 4)) % 4);
    return `/files/${id}/file-preview?timestamp=${timestamp}&nonce=${nonce}&sign=${encodeURIComponent(padded)}`;
  }

  test("the source_url of an upload works without a key, and the secret is private", async () => {
    const file = await uploadFile(server, appA.apiKey, "voice.wav", audio, "audio/wav");
    const response = await fetch(file.source_url, { headers: { Range: "bytes=0-9" } });
    expect(response.status).toBe(206);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(audio.slice(0, 10));
    expect(response.headers.get("cache-control")).toBeNull();
    expect(new URL(file.source_url).searchParams.get("sign")).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(statSync(join(server.dataDir, "secret.key")).mode & 0o777).toBe(0o600);
  });

  test("a link signed by the §10.2 recipe is valid until FILES_ACCESS_TIMEOUT passes", async () => {
    const file = await uploadFile(server, appA.apiKey, "page.html", "<p>hi</p>", "text/html");
    const now = Math.floor(Date.now() / 1000);
    const fresh = await server.request(`${signedPath(file.id, now - 60)}&as_attachment=true`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''page.html");
    expect(fresh.headers.get("x-content-type-options")).toBe("nosniff");
    await expectError(await server.request(signedPath(file.id, now - 301)), 404, "file_not_found", "File not found or signature is invalid");
  });

  test("tampered, misdirected and incomplete links are refused", async () => {
    const file = await uploadFile(server, appA.apiKey, "a.txt", "a", "text/plain");
    const other = await uploadFile(server, appA.apiKey, "b.txt", "b", "text/plain");
    const url = new URL(file.source_url);
    const tampered = new URL(url);
    const sign = tampered.searchParams.get("sign")!;
    tampered.searchParams.set("sign", (sign[0] === "A" ? "B" : "A") + sign.slice(1));
    await expectError(await fetch(tampered), 404, "file_not_found", "File not found or signature is invalid");
    const moved = new URL(url.href.replace(file.id, other.id));
    await expectError(await fetch(moved), 404, "file_not_found", "File not found or signature is invalid");
    const laterTimestamp = new URL(url);
    laterTimestamp.searchParams.set("timestamp", String(Number(url.searchParams.get("timestamp")) + 1000));
    await expectError(await fetch(laterTimestamp), 404, "file_not_found");
    const incomplete = new URL(url);
    incomplete.searchParams.delete("nonce");
    await expectError(await fetch(incomplete), 400, "bad_request");
  });
});
