/**
 * The python3 runtime: one warm CPython (Pyodide) per worker. Loading takes about two seconds, a
 * run afterwards a few milliseconds. Inputs and results cross the boundary as JSON text only, so
 * no JavaScript object is ever handed to user code.
 */
import { loadPyodide } from "pyodide";
import { pythonDriverSource } from "./python-driver.py.ts";
import type { RuntimeOutcome } from "./worker-protocol.ts";

/** A loaded interpreter with the driver installed; `run` is synchronous and uninterruptible except by the interrupt buffer. */
export interface PythonRuntime {
  run(code: string, inputsJson: string): RuntimeOutcome;
}

export async function startPythonRuntime(indexUrl: string, interruptBuffer: SharedArrayBuffer): Promise<PythonRuntime> {
  const pyodide = await loadPyodide({
    indexURL: indexUrl,
    packageCacheDir: indexUrl,
    // The `js` module is this empty object instead of the worker's global object.
    jsglobals: Object.create(null),
    env: { HOME: "/home/sandbox" },
    stdout: () => {},
    stderr: () => {},
    stdin: () => null,
    checkAPIVersion: true,
  });
  pyodide.setInterruptBuffer(new Int32Array(interruptBuffer));
  pyodide.runPython(pythonDriverSource);
  const kilnRun = pyodide.globals.get("_kiln_run") as (code: string, inputsJson: string) => string;
  // The loader's host-facing helpers are unreachable from Python once the driver has run; they
  // are disabled as well so a future leak of the API object does not reopen them.
  const api = pyodide as unknown as Record<string, unknown>;
  for (const name of ["loadPackage", "loadPackagesFromImports", "mountNodeFS", "mountNativeFS", "registerJsModule"]) {
    api[name] = () => {
      throw new Error(`${name} is not available in the sandbox`);
    };
  }
  // Pyodide can open real TCP connections from Node (SOCKFS over node:net). No socket may even
  // be created: the syscall turns this ErrnoError into EACCES, so Python sees PermissionError.
  const module = api._module as { SOCKFS: { createSocket: () => never } };
  const { ErrnoError } = pyodide.FS as unknown as { ErrnoError: new (errno: number) => Error };
  const accessDenied = (pyodide.ERRNO_CODES as Record<string, number>).EACCES ?? 2;
  module.SOCKFS.createSocket = () => {
    throw new ErrnoError(accessDenied);
  };
  const filesystems = (pyodide.FS as unknown as { filesystems?: Record<string, unknown> }).filesystems;
  if (filesystems) {
    delete filesystems.NODEFS;
    delete filesystems.NODERAWFS;
  }
  return {
    run(code, inputsJson) {
      const envelope = JSON.parse(kilnRun(code, inputsJson)) as
        | { ok: true; result: string }
        | { ok: false; kind: "code" | "invalid_result" | "timeout" | "memory"; message: string };
      return envelope.ok ? { ok: true, resultJson: envelope.result } : envelope;
    },
  };
}
