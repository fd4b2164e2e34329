/**
 * A sandbox worker thread: one warm Pyodide, one QuickJS runtime and one nunjucks environment,
 * running one request at a time so CPU-heavy user code never blocks the HTTP event loop. It is
 * its own entry point in the compiled binary (`scripts/build.ts` `workerEntryPoints`).
 */
import quickjsWasmPath from "@jitl/quickjs-wasmfile-release-sync/wasm" with { type: "file" };
import { startJavascriptRuntime, type JavascriptRuntime } from "./javascript-runtime.ts";
import { createJinja2Renderer, type Jinja2Renderer } from "./jinja2-renderer.ts";
import { startPythonRuntime, type PythonRuntime } from "./python-runtime.ts";
import { capWasmMemory, cutHostBridges } from "./worker-hardening.ts";
import type { PoolToWorker, RuntimeOutcome, WorkerRun, WorkerToPool } from "./worker-protocol.ts";

declare const self: {
  postMessage(message: WorkerToPool): void;
  onmessage: ((event: MessageEvent<PoolToWorker>) => void) | null;
};

interface Runtimes {
  python: PythonRuntime;
  javascript: JavascriptRuntime;
  jinja2: Jinja2Renderer;
  interrupt: Int32Array;
}

let runtimes: Runtimes | undefined;

async function start(init: Extract<PoolToWorker, { type: "init" }>): Promise<void> {
  const wasmBinary = await Bun.file(quickjsWasmPath).arrayBuffer();
  const python = await startPythonRuntime(init.pyodideIndexUrl, init.interruptBuffer);
  const javascript = await startJavascriptRuntime(wasmBinary, init.interruptBuffer, init.memoryLimitBytes);
  const jinja2 = createJinja2Renderer();
  capWasmMemory(init.memoryLimitBytes);
  cutHostBridges();
  runtimes = { python, javascript, jinja2, interrupt: new Int32Array(init.interruptBuffer) };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name === "Template render error" ? "TemplateError" : error.name}: ${error.message}` : String(error);
}

function run(ready: Runtimes, request: WorkerRun): RuntimeOutcome {
  Atomics.store(ready.interrupt, 0, 0);
  switch (request.language) {
    case "python3":
      return ready.python.run(request.code, request.inputsJson);
    case "javascript":
      return ready.javascript.run(request.code, request.inputsJson, request.timeoutMs);
    case "jinja2": {
      const variables = JSON.parse(request.inputsJson) as Record<string, unknown>;
      return { ok: true, resultJson: JSON.stringify({ output: ready.jinja2.render(request.code, variables) }) };
    }
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    start(message).then(
      () => self.postMessage({ type: "ready" }),
      (error: unknown) => self.postMessage({ type: "init_failed", message: describe(error) }),
    );
    return;
  }
  if (!runtimes) {
    self.postMessage({ type: "result", id: message.id, ok: false, kind: "crashed", message: "sandbox worker not ready", recycle: true });
    return;
  }
  let outcome: RuntimeOutcome;
  try {
    outcome = run(runtimes, message);
  } catch (error) {
    // Jinja2 render errors are the template's fault; anything else escaped an interpreter.
    const templateError = message.language === "jinja2";
    self.postMessage({
      type: "result",
      id: message.id,
      ok: false,
      kind: templateError ? "code" : "crashed",
      message: describe(error),
      recycle: !templateError,
    });
    return;
  }
  self.postMessage(
    outcome.ok
      ? { type: "result", id: message.id, ok: true, resultJson: outcome.resultJson }
      : { type: "result", id: message.id, ok: false, kind: outcome.kind, message: outcome.message, recycle: outcome.kind === "memory" },
  );
};
