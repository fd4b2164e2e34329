/**
 * Where uploaded bytes live: `<dataDir>/files/<appId>/<uuid>.<ext>`. The storage key (the part
 * below `files/`) is built only from ids Kiln generated and a sanitised extension, so a client's
 * file name never reaches the filesystem; `storagePath` still refuses any key that would resolve
 * outside the folder.
 */
import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join, resolve, sep } from "node:path";

export const filesRoot = (dataDir: string) => resolve(dataDir, "files");

/** A fresh storage key for one upload of an app. Odd extensions are stored as `.bin`. */
export function newStorageKey(appId: string, fileId: string, extension: string): string {
  const safeExtension = /^[a-z0-9]{1,16}$/.test(extension) ? extension : "bin";
  return `${appId}/${fileId}.${safeExtension}`;
}

/** The absolute path of a storage key; throws when the key would escape the files folder. */
export function storagePath(dataDir: string, storageKey: string): string {
  const root = filesRoot(dataDir);
  const path = resolve(root, storageKey);
  if (!path.startsWith(root + sep)) throw new Error(`storage key escapes the files folder: ${storageKey}`);
  return path;
}

/** Creates the folder a storage key's file goes into. */
export function ensureStorageFolder(dataDir: string, storageKey: string): string {
  const path = storagePath(dataDir, storageKey);
  mkdirSync(join(path, ".."), { recursive: true });
  return path;
}

/** Removes a stored file; a file that is already gone is not an error. */
export async function removeStoredFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
