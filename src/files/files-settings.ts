/**
 * Settings of the file subsystem that the shared settings table does not carry. They are read
 * from the same environment the server's settings came from (`settings.env`), so a test server
 * started with its own environment sees its own values.
 */
import ipaddr from "ipaddr.js";
import { SettingsError, type Settings } from "../config";

export interface FilesSettings {
  /** `FILES_ACCESS_TIMEOUT`: seconds a signed file URL stays valid (§10.2). */
  accessTimeoutSec: number;
  /** `UPLOAD_FILE_EXTENSION_BLACKLIST`: extensions refused at upload, lowercased, without dots. */
  extensionBlacklist: ReadonlySet<string>;
  /**
   * `KILN_ALLOW_PRIVATE_REMOTE_FILES`: `true` lets remote file URLs reach any address; a comma
   * list of CIDR ranges (`10.0.0.0/8,127.0.0.2/32`) opens just those; unset keeps all closed.
   */
  remoteFileAccess: RemoteAccessPolicy;
  /** `KILN_REMOTE_FILE_TIMEOUT_MS`: how long downloading one remote file may take. */
  remoteFileTimeoutMs: number;
}

/** Which non-public addresses remote file URLs may reach. */
export interface RemoteAccessPolicy {
  allowAll: boolean;
  allowedNetworks: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

function remoteAccessPolicy(raw: string): RemoteAccessPolicy {
  const value = raw.trim();
  if (/^(1|true|yes|on)$/i.test(value)) return { allowAll: true, allowedNetworks: [] };
  if (value === "" || /^(0|false|no|off)$/i.test(value)) return { allowAll: false, allowedNetworks: [] };
  const allowedNetworks = value.split(",").map((range) => {
    try {
      return ipaddr.parseCIDR(range.trim());
    } catch {
      throw new SettingsError(`KILN_ALLOW_PRIVATE_REMOTE_FILES: "${range.trim()}" is neither true/false nor a CIDR range`);
    }
  });
  return { allowAll: false, allowedNetworks };
}

const cache = new WeakMap<Settings, FilesSettings>();

function positiveInteger(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  // A bad value is an operator mistake: say so rather than fall back silently.
  if (!Number.isInteger(value) || value <= 0) throw new SettingsError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** The file settings of a running Kiln, parsed once per settings object. */
export function filesSettings(settings: Settings): FilesSettings {
  let parsed = cache.get(settings);
  if (!parsed) {
    const env = settings.env;
    parsed = {
      accessTimeoutSec: positiveInteger(env, "FILES_ACCESS_TIMEOUT", 300),
      extensionBlacklist: new Set(
        (env.UPLOAD_FILE_EXTENSION_BLACKLIST ?? "")
          .split(",")
          .map((extension) => extension.trim().replace(/^\./, "").toLowerCase())
          .filter(Boolean),
      ),
      remoteFileAccess: remoteAccessPolicy(env.KILN_ALLOW_PRIVATE_REMOTE_FILES ?? ""),
      remoteFileTimeoutMs: positiveInteger(env, "KILN_REMOTE_FILE_TIMEOUT_MS", 30_000),
    };
    cache.set(settings, parsed);
  }
  return parsed;
}
