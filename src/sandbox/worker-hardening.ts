/**
 * Cuts the sandbox worker off from the host once its interpreters are loaded. Pyodide's FFI and
 * nunjucks' compiled templates both run on this thread's JavaScript realm, so anything they can
 * reach here a user script may reach too: host globals are deleted, code generation from strings
 * is disabled, `require` (which Emscripten calls lazily for `os.system` and sockets) answers with
 * an error, and WebAssembly memories cannot grow past the memory limit.
 */

const hostGlobals = [
  "process", "require", "module", "exports", "__dirname", "__filename", "fetch", "WebSocket",
  "XMLHttpRequest", "EventSource", "Worker", "SharedWorker", "navigator", "BroadcastChannel",
  "Request", "Response", "Headers", "FormData", "Blob", "File", "caches", "localStorage",
  "sessionStorage", "indexedDB", "importScripts", "setImmediate", "clearImmediate", "Loader",
  "HTMLRewriter", "alert", "confirm", "prompt", "reportError",
];

function refuse(what: string): never {
  throw new Error(`${what} is not available in the sandbox`);
}

/**
 * Makes `WebAssembly.Memory#grow` fail past `limitBytes`. Emscripten's heap growth catches the
 * failure and malloc returns NULL, so Python raises MemoryError and QuickJS throws out of memory
 * instead of the process swapping.
 */
export function capWasmMemory(limitBytes: number): void {
  const grow = WebAssembly.Memory.prototype.grow;
  const pageBytes = 65536;
  WebAssembly.Memory.prototype.grow = function growWithinLimit(this: WebAssembly.Memory, pages: number) {
    if (this.buffer.byteLength + pages * pageBytes > limitBytes) {
      throw new RangeError("sandbox memory limit reached");
    }
    return grow.call(this, pages);
  };
}

/**
 * Removes the host's reach from this realm. Call after every interpreter and module is loaded:
 * Pyodide needs `process` and `require` while it starts, never afterwards.
 */
export function cutHostBridges(): void {
  const global = globalThis as Record<string, unknown>;
  for (const name of hostGlobals) {
    try {
      delete global[name];
    } catch {
      // A non-configurable global stays; it is unreachable without code generation (below).
    }
  }
  // Emscripten resolves `require` at call time for os.system (child_process) and sockets (ws).
  Object.defineProperty(globalThis, "require", {
    value: (name: string) => refuse(`module '${name}'`),
    configurable: false,
    writable: false,
  });
  // No code from strings: `x.constructor.constructor("return process")()` and direct or
  // indirect eval are the classic ways from any reachable function to the global object.
  const blockedEval = () => refuse("eval");
  Object.defineProperty(globalThis, "eval", { value: blockedEval, configurable: false, writable: false });
  const blockedConstructor = function FunctionConstructor() {
    return refuse("the Function constructor");
  };
  const functionPrototypes = [
    Function.prototype,
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ];
  for (const prototype of functionPrototypes) {
    Object.defineProperty(prototype, "constructor", {
      value: blockedConstructor,
      configurable: false,
      writable: false,
    });
  }
}
