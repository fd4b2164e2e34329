/**
 * The code sandbox interface used by the `code` and `template-transform` workflow nodes.
 * Code runs in WASM interpreters (CPython via Pyodide, QuickJS) inside worker threads, with no
 * filesystem, network, environment or process access, a CPU-time limit and a memory limit.
 */

export type SandboxLanguage = "python3" | "javascript" | "jinja2";

export interface SandboxRequest {
  language: SandboxLanguage;
  /** python3/javascript: source defining `main`; jinja2: the template text. */
  code: string;
  /** python3: `main(**inputs)`; javascript: `main(inputs)`; jinja2: the template variables. */
  inputs: Record<string, unknown>;
  /** Wall/CPU budget for this run; defaults come from settings. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** python3/javascript: the object `main` returned; jinja2: `{ output: string }`. */
export type SandboxResult = Record<string, unknown>;

export interface Sandbox {
  run(request: SandboxRequest): Promise<SandboxResult>;
  /** Starts interpreters ahead of the first request so a code node costs milliseconds. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}
