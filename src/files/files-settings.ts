/**
 * The file subsystem's settings in the shape it uses, derived once per settings object from the
 * raw values of the shared settings table (where `--help` documents them).
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

/** The file settings of a running Kiln, parsed once per settings object. */
export function filesSettings(settings: Settings): FilesSettings {
  let parsed = cache.get(settings);
  if (!parsed) {
    parsed = {
      accessTimeoutSec: settings.filesAccessTimeoutSec,
      extensionBlacklist: new Set(
        settings.uploadExtensionBlacklist
          .split(",")
          .map((extension) => extension.trim().replace(/^\./, "").toLowerCase())
          .filter(Boolean),
      ),
      remoteFileAccess: remoteAccessPolicy(settings.allowPrivateRemoteFiles),
      remoteFileTimeoutMs: settings.remoteFileTimeoutMs,
    };
    cache.set(settings, parsed);
  }
  return parsed;
}
