import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KilnError } from "../../src/errors";
import { resolveFileReferences } from "../../src/files/file-references";
import { fileUploadConfigOf } from "../../src/files/file-upload-config";
import { imageContentPart, loadFileBytes } from "../../src/files/load-file";
import { findApp } from "../../src/store/apps";
import type { App } from "../../src/store/schema";
import { startTestServer, type TestServer } from "../harness";
import { uploadFile } from "./upload-client";

const PDF = "%PDF-1.4 remote";
/** A peer on 127.0.0.2: reachable only when private addresses are allowed. */
let peer: ReturnType<typeof Bun.serve>;
let peerUrl: string;
let open: TestServer;
let guarded: TestServer;

beforeAll(async () => {
  peer = Bun.serve({
    hostname: "127.0.0.2",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/doc") return new Response(PDF, { headers: { "Content-Type": "application/pdf", "Content-Disposition": "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf" } });
      if (path === "/photo.png") return new Response(new Uint8Array([137, 80, 78, 71]), { headers: { "Content-Type": "image/png" } });
      if (path === "/big.txt") return new Response("x".repeat(2 * 1024 * 1024));
      if (path === "/to-loopback") return Response.redirect(`http://127.0.0.1:${new URL(request.url).port}/doc`, 302);
      if (path === "/to-metadata") return Response.redirect("http://169.254.169.254/latest/meta-data/", 302);
      return new Response("not found", { status: 404 });
    },
  });
  peerUrl = `http://127.0.0.2:${peer.port}`;
  open = await startTestServer({ KILN_ALLOW_PRIVATE_REMOTE_FILES: "true", UPLOAD_FILE_SIZE_LIMIT: "1" });
  // Opens the peer's address only: its redirects to other private addresses must still fail.
  guarded = await startTestServer({ KILN_ALLOW_PRIVATE_REMOTE_FILES: "127.0.0.2/32" });
});
afterAll(async () => {
  peer.stop(true);
  await open.stop();
  await guarded.stop();
});

function appOf(server: TestServer): { app: App; apiKey: string } {
  const { appId, apiKey } = server.importApp("chat.yml");
  return { app: findApp(server.services.db, appId)!, apiKey };
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KilnError) return { code: error.code, status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected a rejection");
}

const ALL_TYPES = { enabled: true, allowed_file_types: ["image", "document"], allowed_file_upload_methods: ["local_file", "remote_url"], number_limits: 3 };

describe("local_file references", () => {
  test("become §8.3 file records with a signed url that downloads the upload", async () => {
    const { app, apiKey } = appOf(open);
    const upload = await uploadFile(open, apiKey, "photo.png", "png bytes", "image/png");
    const [file] = await resolveFileReferences(open.services, app, [{ type: "image", transfer_method: "local_file", upload_file_id: upload.id }], fileUploadConfigOf(ALL_TYPES));
    expect(file).toMatchObject({
      dify_model_identity: "__dify__file__",
      id: null,
      tenant_id: app.id,
      type: "image",
      transfer_method: "local_file",
      remote_url: null,
      related_id: upload.id,
      filename: "photo.png",
      extension: ".png",
      mime_type: "image/png",
      size: 9,
    });
    expect(await (await fetch(file.url)).text()).toBe("png bytes");
    expect(new TextDecoder().decode(await loadFileBytes(open.services, file))).toBe("png bytes");
    expect(await imageContentPart(open.services, file, "low")).toEqual({
      type: "image",
      url: `data:image/png;base64,${Buffer.from("png bytes").toString("base64")}`,
      detail: "low",
    });
  });

  test("ids that are missing, malformed or another app's are refused", async () => {
    const { app } = appOf(open);
    const other = appOf(open);
    const foreign = await uploadFile(open, other.apiKey, "theirs.txt", "x", "text/plain");
    const resolve = (mapping: Record<string, unknown>) => resolveFileReferences(open.services, app, [{ transfer_method: "local_file", ...mapping }], undefined);
    expect((await rejection(resolve({}))).message).toBe("Invalid upload file id");
    expect((await rejection(resolve({ upload_file_id: "nope" }))).message).toBe("Invalid upload file id format");
    expect(await rejection(resolve({ upload_file_id: foreign.id }))).toEqual({ code: "invalid_param", status: 400, message: "Invalid upload file" });
  });

  test("custom types are detected, and strict mode refuses a wrong type", async () => {
    const { app, apiKey } = appOf(open);
    const upload = await uploadFile(open, apiKey, "notes.md", "# hi", "text/markdown");
    const [unspecified] = await resolveFileReferences(open.services, app, [{ transfer_method: "local_file", upload_file_id: upload.id }], undefined);
    expect(unspecified.type).toBe("document");
    const wrong = [{ type: "image", transfer_method: "local_file", upload_file_id: upload.id }];
    expect((await resolveFileReferences(open.services, app, wrong, undefined))[0].type).toBe("image");
    expect((await rejection(resolveFileReferences(open.services, app, wrong, undefined, { strictType: true }))).message).toBe(
      "Detected file type does not match the specified type. Please verify the file.",
    );
  });

  test("the app's file_upload rules and limits apply, with Dify's messages", async () => {
    const { app, apiKey } = appOf(open);
    const image = await uploadFile(open, apiKey, "a.png", "a", "image/png");
    const archive = await uploadFile(open, apiKey, "a.zip", "z", "application/zip");
    const local = (id: string, type: string) => ({ type, transfer_method: "local_file", upload_file_id: id });
    const resolve = (mappings: unknown[], feature: Record<string, unknown>) =>
      resolveFileReferences(open.services, app, mappings, fileUploadConfigOf(feature));

    expect((await rejection(resolve([local(image.id, "image")], { ...ALL_TYPES, allowed_file_types: ["document"] }))).message).toBe(
      "File validation failed for file: a.png",
    );
    expect((await rejection(resolve([local(archive.id, "custom")], ALL_TYPES))).message).toBe("File validation failed for file: a.zip");
    expect(await resolve([local(archive.id, "custom")], { ...ALL_TYPES, allowed_file_extensions: [".ZIP"] })).toHaveLength(1);
    expect((await rejection(resolve([local(image.id, "image")], { ...ALL_TYPES, allowed_file_upload_methods: ["remote_url"] }))).message).toBe(
      "File validation failed for file: a.png",
    );
    const four = [1, 2, 3, 4].map(() => local(image.id, "image"));
    expect((await rejection(resolve(four, ALL_TYPES))).message).toBe("Number of image files exceeds the maximum limit 3");
    const legacy = { image: { enabled: true, number_limits: 5, transfer_methods: ["local_file"] } };
    const docs = [1, 2, 3, 4, 5, 6].map(() => local(archive.id, "document"));
    expect((await rejection(resolve(docs, { ...ALL_TYPES, number_limits: 5 }))).message).toBe("Number of files exceeds the maximum limit 5");
    expect(await resolve([local(image.id, "image")], legacy)).toHaveLength(1);
    expect(fileUploadConfigOf({ enabled: false, allowed_file_types: ["image"] })).toBeUndefined();
    expect(fileUploadConfigOf(undefined)).toBeUndefined();
  });

  test("mappings without a transfer method, or remote ones without a URL, are skipped", async () => {
    const { app } = appOf(open);
    const files = await resolveFileReferences(open.services, app, [{ type: "image" }, { transfer_method: "remote_url" }, "junk", null], undefined);
    expect(files).toEqual([]);
    expect((await rejection(resolveFileReferences(open.services, app, [{ transfer_method: "ftp" }], undefined))).message).toBe(
      "Invalid file transfer method: ftp",
    );
  });
});

describe("remote_url references", () => {
  test("are probed for name, type and size, and downloaded under the class limit", async () => {
    const { app } = appOf(open);
    const [file] = await resolveFileReferences(open.services, app, [{ type: "document", transfer_method: "remote_url", url: `${peerUrl}/doc` }], undefined);
    expect(file).toMatchObject({ filename: "报告.pdf", extension: ".pdf", mime_type: "application/pdf", size: PDF.length, type: "document", remote_url: `${peerUrl}/doc`, url: `${peerUrl}/doc`, related_id: null });
    expect(new TextDecoder().decode(await loadFileBytes(open.services, file))).toBe(PDF);

    const [big] = await resolveFileReferences(open.services, app, [{ transfer_method: "remote_url", url: `${peerUrl}/big.txt` }], undefined);
    expect(await rejection(loadFileBytes(open.services, big))).toMatchObject({ code: "file_too_large", status: 413 });
  });

  test("only http and https URLs are accepted", async () => {
    const { app } = appOf(open);
    for (const url of ["file:///etc/passwd", "ftp://example.com/a.txt", "not a url"]) {
      expect((await rejection(resolveFileReferences(open.services, app, [{ transfer_method: "remote_url", url }], undefined))).message).toBe("Invalid file url");
    }
  });

  const blocked = [
    "http://127.0.0.1/doc",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/doc",
    "http://[::ffff:127.0.0.1]/doc",
    "http://localhost/doc",
    "http://10.0.0.8/doc",
    "http://0.0.0.0/doc",
  ];
  for (const url of blocked) {
    test(`${url} is refused unless private addresses are allowed`, async () => {
      const { app } = appOf(guarded);
      const error = await rejection(resolveFileReferences(guarded.services, app, [{ transfer_method: "remote_url", url }], undefined));
      expect(error.code).toBe("invalid_param");
      expect(error.message).toStartWith("Remote file URL is not allowed");
    });
  }

  test("an allowed host's redirect to a blocked address is refused", async () => {
    const { app } = appOf(guarded);
    const [allowed] = await resolveFileReferences(guarded.services, app, [{ transfer_method: "remote_url", url: `${peerUrl}/photo.png` }], undefined);
    expect(allowed.type).toBe("image");
    for (const path of ["/to-loopback", "/to-metadata"]) {
      const error = await rejection(resolveFileReferences(guarded.services, app, [{ transfer_method: "remote_url", url: `${peerUrl}${path}` }], undefined));
      expect(error.message).toStartWith("Remote file URL is not allowed");
    }
    const redirected = { ...allowed, url: `${peerUrl}/to-loopback`, remote_url: `${peerUrl}/to-loopback` };
    expect((await rejection(loadFileBytes(guarded.services, redirected))).message).toStartWith("Remote file URL is not allowed");
  });
});
