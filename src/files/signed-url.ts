/**
 * Signed file URLs (§10.2): `/files/<id>/file-preview?timestamp&nonce&sign`, where `sign` is the
 * urlsafe base64 (padding kept) of HMAC-SHA256 over `file-preview|<id>|<timestamp>|<nonce>`.
 * The key is generated once into `<dataDir>/secret.key` (mode 0600) so links survive restarts
 * and differ between installations.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Services } from "../services";
import { filesSettings } from "./files-settings";

const secrets = new Map<string, Buffer>();

/** The installation's signing key, created on first use. */
function signingSecret(dataDir: string): Buffer {
  let secret = secrets.get(dataDir);
  if (secret) return secret;
  const path = join(dataDir, "secret.key");
  if (!existsSync(path)) {
    try {
      // `wx` fails if another process created the key in the meantime; then that key is read.
      writeFileSync(path, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    chmodSync(path, 0o600);
  }
  secret = Buffer.from(readFileSync(path, "utf8").trim(), "utf8");
  secrets.set(dataDir, secret);
  return secret;
}

function signature(dataDir: string, fileId: string, timestamp: string, nonce: string): string {
  const digest = createHmac("sha256", signingSecret(dataDir)).update(`file-preview|${fileId}|${timestamp}|${nonce}`).digest();
  // Python's urlsafe_b64encode keeps the `=` padding (§10.2).
  return digest.toString("base64").replaceAll("+", "-").replaceAll("/", "_");
}

type SigningContext = Pick<Services, "settings" | "publicUrl">;

/** A signed, expiring download link for an uploaded file, for `source_url` and file dicts' `url`. */
export function signFileUrl(services: SigningContext, fileId: string): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString("hex");
  const sign = signature(services.settings.dataDir, fileId, timestamp, nonce);
  const query = new URLSearchParams({ timestamp, nonce, sign });
  return `${services.publicUrl.replace(/\/+$/, "")}/files/${fileId}/file-preview?${query}`;
}

/** Whether a signed link's parameters are genuine and not older than `FILES_ACCESS_TIMEOUT`. */
export function verifyFileSignature(
  services: SigningContext,
  fileId: string,
  params: { timestamp: string; nonce: string; sign: string },
): boolean {
  const expected = Buffer.from(signature(services.settings.dataDir, fileId, params.timestamp, params.nonce));
  const given = Buffer.from(params.sign);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  const timestamp = Number(params.timestamp);
  if (!Number.isInteger(timestamp)) return false;
  return Math.floor(Date.now() / 1000) - timestamp <= filesSettings(services.settings).accessTimeoutSec;
}
