/**
 * The messages between the sandbox pool (main thread) and a sandbox worker. Only structured-clone
 * data crosses: the worker never sees the host's objects, the host never sees the interpreters'.
 */
import type { SandboxErrorKind } from "./sandbox-error.ts";
import type { SandboxLanguage } from "./types.ts";

export interface WorkerInit {
  type: "init";
  /** Folder holding the extracted Pyodide files (`pyodide.asm.mjs`, `.wasm`, stdlib, lock). */
  pyodideIndexUrl: string;
  /** Int32Array over this buffer: the pool writes 2 (SIGINT) at index 0 to stop a running script. */
  interruptBuffer: SharedArrayBuffer;
  memoryLimitBytes: number;
}

export interface WorkerRun {
  type: "run";
  id: number;
  language: SandboxLanguage;
  code: string;
  /** JSON text of the inputs, so Python sees ints and floats as JSON spells them. */
  inputsJson: string;
  timeoutMs: number;
}

export type PoolToWorker = WorkerInit | WorkerRun;

export type WorkerToPool =
  | { type: "ready" }
  | { type: "init_failed"; message: string }
  | { type: "result"; id: number; ok: true; resultJson: string }
  | {
      type: "result";
      id: number;
      ok: false;
      kind: SandboxErrorKind;
      message: string;
      /** The interpreter may be in a bad state (memory exhausted): the pool replaces the worker. */
      recycle: boolean;
    };

/** What one interpreter answers for one run, before the pool turns failures into SandboxErrors. */
export type RuntimeOutcome =
  | { ok: true; resultJson: string }
  | { ok: false; kind: SandboxErrorKind; message: string };
