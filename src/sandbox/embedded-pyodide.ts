/**
 * Pyodide's runtime files, embedded in the compiled binary. Pyodide loads its siblings by name
 * from one folder, which `/$bunfs/` (hashed names) cannot give it, so they are copied once into
 * a versioned folder under the cache directory and loaded from there.
 */
import { mkdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import lockFile from "pyodide/pyodide-lock.json" with { type: "file" };
import asmModule from "pyodide/pyodide.asm.mjs" with { type: "file" };
import asmWasm from "pyodide/pyodide.asm.wasm" with { type: "file" };
import stdlibZip from "pyodide/python_stdlib.zip" with { type: "file" };
import { version } from "pyodide";

const files: Record<string, string> = {
  // Typed as the JSON's contents by TypeScript; with `type: "file"` Bun gives its path.
  "pyodide-lock.json": lockFile as unknown as string,
  "pyodide.asm.mjs": asmModule,
  "pyodide.asm.wasm": asmWasm,
  "python_stdlib.zip": stdlibZip,
};

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * Writes the Pyodide files into `cacheDir/pyodide-<version>/` unless they are already there with
 * the right sizes, and answers that folder (with a trailing slash, as `indexURL` wants).
 * Writes go to a temporary name first so a concurrent start never loads a half-written file.
 */
export async function extractPyodide(cacheDir: string): Promise<string> {
  const folder = join(cacheDir, `pyodide-${version}`);
  await mkdir(folder, { recursive: true });
  for (const [name, source] of Object.entries(files)) {
    const target = join(folder, name);
    const embedded = Bun.file(source);
    if ((await sizeOf(target)) === embedded.size) continue;
    const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
    await Bun.write(temporary, embedded);
    await rename(temporary, target);
  }
  return `${folder}/`;
}
