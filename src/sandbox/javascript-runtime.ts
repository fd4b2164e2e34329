/**
 * The javascript runtime: QuickJS compiled to WebAssembly, one warm module and runtime per
 * worker and a fresh context per run (microseconds). The context holds only the ECMAScript
 * built-ins plus a silent `console`; inputs and results cross as JSON text.
 */
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSRuntime } from "quickjs-emscripten";
import type { RuntimeOutcome } from "./worker-protocol.ts";

export interface JavascriptRuntime {
  run(code: string, inputsJson: string, timeoutMs: number): RuntimeOutcome;
}

/** Wraps `main`: Dify calls it with one object argument and expects an object back. */
const callMain = `(() => {
  if (typeof main !== "function") throw new __KilnInvalidResult("The code must define a function named main.");
  const result = main(JSON.parse(__kilnInputs));
  if (result === null || typeof result !== "object" || Array.isArray(result) || typeof result.then === "function") {
    throw new __KilnInvalidResult("The return value of main must be an object, got " + (Array.isArray(result) ? "array" : result === null ? "null" : typeof result) + ".");
  }
  return JSON.stringify(result);
})()`;

const prelude = `
class __KilnInvalidResult extends Error { constructor(message) { super(message); this.name = "__KilnInvalidResult"; } }
globalThis.console = { log() {}, info() {}, warn() {}, error() {}, debug() {} };
`;

export async function startJavascriptRuntime(
  wasmBinary: ArrayBuffer,
  interruptBuffer: SharedArrayBuffer,
  memoryLimitBytes: number,
): Promise<JavascriptRuntime> {
  const quickjs = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmBinary }));
  const interrupt = new Int32Array(interruptBuffer);
  const newRuntime = (): QuickJSRuntime => {
    const runtime = quickjs.newRuntime();
    runtime.setMemoryLimit(memoryLimitBytes);
    runtime.setMaxStackSize(1024 * 1024);
    return runtime;
  };
  let runtime = newRuntime();

  return {
    run(code, inputsJson, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let timedOut = false;
      runtime.setInterruptHandler(() => {
        timedOut ||= Date.now() > deadline || Atomics.load(interrupt, 0) !== 0;
        return timedOut;
      });
      const context = runtime.newContext();
      try {
        const outcome = (source: string, filename: string): RuntimeOutcome => {
          const evaluated = context.evalCode(source, filename);
          if (evaluated.error) {
            const error = context.dump(evaluated.error) as { name?: string; message?: string; stack?: string } | string;
            evaluated.error.dispose();
            if (timedOut) return { ok: false, kind: "timeout", message: "timeout" };
            const name = typeof error === "object" ? (error.name ?? "Error") : "Error";
            const message = typeof error === "object" ? (error.message ?? "") : String(error);
            if (/out of memory/i.test(message)) return { ok: false, kind: "memory", message: "memory" };
            if (name === "__KilnInvalidResult") {
              return { ok: false, kind: "invalid_result", message };
            }
            return { ok: false, kind: "code", message: `${name}: ${message}` };
          }
          const value = context.dump(evaluated.value) as unknown;
          evaluated.value.dispose();
          return { ok: true, resultJson: typeof value === "string" ? value : "null" };
        };
        const setup = outcome(prelude, "prelude.js");
        if (!setup.ok) return setup;
        const inputs = context.newString(inputsJson);
        context.setProp(context.global, "__kilnInputs", inputs);
        inputs.dispose();
        const defined = outcome(code, "code.js");
        if (!defined.ok) return defined;
        return outcome(callMain, "main.js");
      } finally {
        try {
          context.dispose();
        } catch {
          // A context that ran out of memory may not free cleanly: start a clean runtime.
          runtime = newRuntime();
        }
      }
    },
  };
}
