import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { findApp } from "../../src/store/apps";
import { uploadFiles } from "../../src/store/schema";
import { startTestServer, type TestServer } from "../harness";
import { BOUNDARY, filePart, multipartBody, postUpload, uploadFile, userPart } from "./upload-client";

const MB = 1024 * 1024;
let server: TestServer;
let key: string;
let appId: string;

beforeAll(async () => {
  server = await startTestServer({
    UPLOAD_FILE_SIZE_LIMIT: "1",
    UPLOAD_IMAGE_FILE_SIZE_LIMIT: "2",
    UPLOAD_AUDIO_FILE_SIZE_LIMIT: "1",
    UPLOAD_VIDEO_FILE_SIZE_LIMIT: "1",
    UPLOAD_FILE_EXTENSION_BLACKLIST: "exe, .BAT",
  });
  ({ apiKey: key, appId } = server.importApp("chat.yml"));
});
afterAll(() => server.stop());

/** Every file below the data folder's `files/`, recursively. */
function storedFiles(): string[] {
  const root = join(server.dataDir, "files");
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const rowCount = () => server.services.db.select().from(uploadFiles).all().length;

async function expectError(response: Response, status: number, code: string, message?: string) {
  const body = (await response.json()) as { code: string; message: string; status: number };
  expect({ status: response.status, code: body.code }).toEqual({ status, code });
  if (message !== undefined) expect(body.message).toBe(message);
}

/** Asserts a refused upload changed nothing on disk or in the database. */
async function expectNothingStored(send: () => Promise<Response>, status: number, code: string, message?: string) {
  const files = storedFiles().length;
  const rows = rowCount();
  await expectError(await send(), status, code, message);
  expect(storedFiles().length).toBe(files);
  expect(rowCount()).toBe(rows);
}

describe("POST /v1/files/upload accepts", () => {
  const cases: [string, string, string][] = [
    ["photo.PNG", "image/png", "png"],
    ["clip.mp4", "video/mp4", "mp4"],
    ["voice.m4a", "audio/mp4", "m4a"],
    ["report.pdf", "application/pdf", "pdf"],
    ["notes.md", "text/markdown", "md"],
    ["data.parquet", "application/octet-stream", "parquet"],
  ];
  for (const [name, mimeType, extension] of cases) {
    test(`${name} (${mimeType})`, async () => {
      const content = `content of ${name}`;
      const body = await uploadFile(server, key, name, content, mimeType);
      const endUser = server.services.endUsers.resolve(findApp(server.services.db, appId)!, "alice", true);
      expect(body).toMatchObject({
        name,
        size: content.length,
        extension,
        mime_type: mimeType,
        created_by: endUser.id,
        preview_url: null,
        original_url: null,
        user_id: null,
        tenant_id: appId,
        conversation_id: null,
        file_key: null,
      });
      expect(Object.keys(body)).toEqual([
        "id", "name", "size", "extension", "mime_type", "created_by", "created_at", "preview_url",
        "source_url", "original_url", "user_id", "tenant_id", "conversation_id", "file_key",
      ]);
      expect(Math.abs((body.created_at as number) - Date.now() / 1000)).toBeLessThan(60);
      expect(body.source_url).toStartWith(`${server.url}/files/${body.id}/file-preview?timestamp=`);
      const row = server.services.db.select().from(uploadFiles).all().find((file) => file.id === body.id)!;
      expect(row.hash).toBe(createHash("sha3-256").update(content).digest("hex"));
      expect(row.storageKey).toBe(`${appId}/${body.id}.${extension}`);
      expect(readFileSync(join(server.dataDir, "files", row.storageKey), "utf8")).toBe(content);
    });
  }

  test("a file exactly at its class limit, and an empty file", async () => {
    const atLimit = await uploadFile(server, key, "full.txt", new Uint8Array(MB), "text/plain");
    expect(atLimit.size).toBe(MB);
    const empty = await uploadFile(server, key, "empty.txt", "", "text/plain");
    expect(empty.size).toBe(0);
  });

  test("images use their own, larger limit", async () => {
    const body = await uploadFile(server, key, "big.jpg", new Uint8Array(MB + 10), "image/jpeg");
    expect(body.size).toBe(MB + 10);
  });

  test("a UTF-8 name, a name over 200 characters is cut as Dify cuts it, and no user means DEFAULT-USER", async () => {
    const utf8 = await uploadFile(server, key, "报告 ü.txt", "x", "text/plain");
    expect(utf8.name).toBe("报告 ü.txt");
    const long = `${"a".repeat(250)}.v2.txt`;
    const response = await postUpload(server, key, [filePart(long, "x", "text/plain")]);
    const body = (await response.json()) as { name: string; created_by: string };
    expect(response.status).toBe(201);
    expect(body.name).toBe(`${"a".repeat(200)}.txt`);
    const defaultUser = server.services.db.query.endUsers.findFirst({ where: (users, { eq }) => eq(users.id, body.created_by) });
    expect((await defaultUser)?.sessionId).toBe("DEFAULT-USER");
  });

  test("the user field may come before the file", async () => {
    const response = await postUpload(server, key, [userPart("bob"), filePart("a.txt", "x", "text/plain")]);
    const body = (await response.json()) as { created_by: string };
    const bob = await server.services.db.query.endUsers.findFirst({ where: (users, { eq }) => eq(users.id, body.created_by) });
    expect(bob?.sessionId).toBe("bob");
  });
});

describe("POST /v1/files/upload refuses, storing nothing", () => {
  test("no file part, or a body that is not multipart", async () => {
    await expectNothingStored(() => postUpload(server, key, [userPart("alice")]), 400, "no_file_uploaded", "Please upload your file.");
    await expectNothingStored(
      () => server.request("/v1/files/upload", { method: "POST", key, json: { file: "x" } }),
      400,
      "no_file_uploaded",
    );
    await expectNothingStored(() => postUpload(server, key, [{ ...filePart("a.txt", "x"), name: "document" }]), 400, "no_file_uploaded");
  });

  test("two file parts", async () => {
    await expectNothingStored(
      () => postUpload(server, key, [filePart("a.txt", "a", "text/plain"), filePart("b.txt", "b", "text/plain")]),
      400,
      "too_many_files",
      "Only one file is allowed.",
    );
    await expectNothingStored(
      () => postUpload(server, key, [filePart("a.txt", "a", "text/plain"), { ...filePart("b.txt", "b"), name: "other" }]),
      400,
      "too_many_files",
    );
  });

  test("a part without a MIME type", async () => {
    await expectNothingStored(
      () => postUpload(server, key, [{ name: "file", filename: "a.txt", body: "x" }]),
      415,
      "unsupported_file_type",
      "File type not allowed.",
    );
  });

  test("an empty filename", async () => {
    await expectNothingStored(
      () => postUpload(server, key, [filePart("", "x", "text/plain")]),
      400,
      "filename_not_exists_error",
      "The specified filename does not exist.",
    );
  });

  for (const name of ["../../etc/passwd.txt", "..\\x.txt", "a:b.txt", 'q"uote.txt', "star*.txt", "pipe|.txt", "<x>.txt", "why?.txt"]) {
    test(`the name ${name}`, async () => {
      await expectNothingStored(
        () => postUpload(server, key, [filePart(name, "x", "text/plain")]),
        400,
        "invalid_param",
        "Filename contains invalid characters",
      );
      expect(existsSync(join(server.dataDir, "etc"))).toBe(false);
    });
  }

  test("blacklisted extensions, in any case", async () => {
    await expectNothingStored(
      () => postUpload(server, key, [filePart("setup.EXE", "MZ", "application/x-msdownload")]),
      400,
      "invalid_param",
      "File extension '.exe' is not allowed for security reasons",
    );
    await expectNothingStored(() => postUpload(server, key, [filePart("run.bat", "x", "text/plain")]), 400, "invalid_param");
  });

  test("a file over its class limit, with Dify's literal message", async () => {
    await expectNothingStored(
      () => postUpload(server, key, [filePart("big.txt", new Uint8Array(MB + 1), "text/plain")]),
      413,
      "file_too_large",
      "File size exceeded. {message}",
    );
    await expectNothingStored(() => postUpload(server, key, [filePart("song.mp3", new Uint8Array(MB + 1), "audio/mpeg")]), 413, "file_too_large");
  });

  test("a body declared larger than any upload may be, before it is read", async () => {
    const response = await server.request("/v1/files/upload", {
      method: "POST",
      key,
      headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: multipartBody([filePart("huge.jpg", new Uint8Array(4 * MB), "image/jpeg")]),
    });
    await expectError(response, 413, "file_too_large");
  });

  test("a truncated body", async () => {
    const body = multipartBody([filePart("cut.txt", "x".repeat(1000), "text/plain")]);
    await expectNothingStored(
      () =>
        server.request("/v1/files/upload", {
          method: "POST",
          key,
          headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
          body: body.slice(0, body.length - 200),
        }),
      400,
      "bad_request",
    );
  });

  test("a client that aborts mid-body leaves no file and no row", async () => {
    const rows = rowCount();
    const before = new Set(storedFiles());
    const head = multipartBody([filePart("aborted.txt", "", "text/plain")]);
    // Everything up to the part's (empty) content, then part of the content, then nothing.
    const partStart = head.slice(0, head.length - `\r\n--${BOUNDARY}--\r\n`.length);
    const port = new URL(server.url).port;
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      `POST /v1/files/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n` +
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${partStart.length + 500_000}\r\n\r\n`,
    );
    socket.write(partStart);
    socket.write(Buffer.alloc(200_000, "a"));
    const started = await waitFor(() => storedFiles().some((path) => !before.has(path) && statSync(path).size > 0));
    expect(started).toBe(true);
    socket.destroy();
    const cleaned = await waitFor(() => storedFiles().every((path) => before.has(path)));
    expect(cleaned).toBe(true);
    expect(rowCount()).toBe(rows);
  });
});

/** Polls a condition for up to five seconds; true once it holds. */
async function waitFor(condition: () => boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (condition()) return true;
    await Bun.sleep(50);
  }
  return false;
}
