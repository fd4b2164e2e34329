/**
 * The sandbox: a fixed pool of worker threads, each with warm interpreters, and a FIFO queue of
 * requests waiting for a free worker. A run that overstays its time is interrupted through a
 * shared flag (Python raises KeyboardInterrupt, QuickJS's interrupt handler stops); a worker
 * that does not answer the flag, crashes or exhausts its memory is terminated and replaced.
 */
import { extractPyodide } from "./embedded-pyodide.ts";
import { SandboxError } from "./sandbox-error.ts";
import type { Sandbox, SandboxRequest, SandboxResult } from "./types.ts";
import type { PoolToWorker, WorkerToPool } from "./worker-protocol.ts";

export interface SandboxOptions {
  /** Worker threads, each running one request at a time. Default 2. */
  workers?: number;
  /** Folder (under the data folder) where the embedded Pyodide files are extracted once. */
  cacheDir: string;
  /** Default CPU/wall budget per run when the request sets none. Default 15,000 ms. */
  timeoutMs?: number;
  /** Per interpreter heap bound (Python's WebAssembly memory, QuickJS's heap). Default 256 MB. */
  memoryLimitMb?: number;
  /** How long a worker may ignore the interrupt flag before it is terminated. Default 1,000 ms. */
  interruptGraceMs?: number;
  /** The worker script; only needed when a binary is built with another entry-point layout. */
  workerUrl?: string;
}

interface Job {
  id: number;
  request: SandboxRequest;
  inputsJson: string;
  timeoutMs: number;
  resolve(result: SandboxResult): void;
  reject(error: SandboxError): void;
  /** Set once the job got its answer (or was given up on) so late messages are ignored. */
  settled: boolean;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  interrupt: Int32Array;
  ready: boolean;
  job?: Job;
  timers: ReturnType<typeof setTimeout>[];
  /** Why the running job was interrupted, if it was: decides the error it gets. */
  interruptedFor?: "timeout" | "aborted";
}

const interruptSignal = 2; // SIGINT: what Pyodide's interrupt buffer expects.

/**
 * Where the worker script is. In a checkout it sits beside this file. In the compiled binary
 * every entry point lives under `/$bunfs/root/` at its path relative to the entry points' common
 * folder (`src/` for `src/main.ts` + `src/sandbox/worker.ts`), while `import.meta.url` of any
 * bundled module is the main entry's, so the relative URL would point at the wrong place.
 */
function defaultWorkerUrl(): string {
  return import.meta.url.includes("/$bunfs/")
    ? "/$bunfs/root/sandbox/worker.ts"
    : new URL("./worker.ts", import.meta.url).href;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const workerCount = Math.max(1, options.workers ?? 2);
  const defaultTimeoutMs = options.timeoutMs ?? 15_000;
  const memoryLimitMb = options.memoryLimitMb ?? 256;
  const graceMs = options.interruptGraceMs ?? 1_000;
  const workerUrl = options.workerUrl ?? defaultWorkerUrl();
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextJobId = 1;
  let indexUrl: Promise<string> | undefined;
  let started: Promise<void> | undefined;
  let closed = false;
  /** Workers being started to replace retired ones; `warmUp` waits for them too. */
  const replacements = new Set<Promise<void>>();

  const fail = (job: Job, error: SandboxError) => {
    if (job.settled) return;
    job.settled = true;
    if (job.onAbort) job.request.signal?.removeEventListener("abort", job.onAbort);
    job.reject(error);
  };

  const spawn = (pyodideIndexUrl: string): Promise<void> => {
    const interruptBuffer = new SharedArrayBuffer(4);
    // An empty environment: even a full escape would find no host secrets in process.env.
    const worker = new Worker(workerUrl, { env: {} });
    const slot: Slot = { worker, interrupt: new Int32Array(interruptBuffer), ready: false, timers: [] };
    slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<WorkerToPool>) => {
        const message = event.data;
        if (message.type === "ready") {
          slot.ready = true;
          resolve();
          dispatch();
        } else if (message.type === "init_failed") {
          retire(slot);
          reject(new SandboxError("crashed", `sandbox worker failed to start: ${message.message}`));
        } else {
          finish(slot, message);
        }
      };
      worker.onerror = (event) => {
        const job = slot.job;
        retire(slot);
        reject(new SandboxError("crashed", `sandbox worker failed to start: ${event.message}`));
        if (job) fail(job, new SandboxError("crashed", `The sandbox worker crashed: ${event.message}`));
        if (slot.ready) replace();
      };
      const init: PoolToWorker = {
        type: "init",
        pyodideIndexUrl,
        interruptBuffer,
        memoryLimitBytes: memoryLimitMb * 1024 * 1024,
      };
      worker.postMessage(init);
    });
  };

  const retire = (slot: Slot) => {
    for (const timer of slot.timers) clearTimeout(timer);
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    slot.worker.onmessage = null;
    slot.worker.onerror = null;
    slot.worker.terminate();
  };

  const replace = () => {
    if (closed || !indexUrl) return;
    const replacement = indexUrl.then(spawn).catch((error: unknown) => {
      const reason = error instanceof SandboxError ? error : new SandboxError("crashed", String(error));
      // No worker can start: fail what waits rather than let it hang.
      if (slots.length === 0) for (const job of queue.splice(0)) fail(job, reason);
    });
    replacements.add(replacement);
    void replacement.finally(() => replacements.delete(replacement));
  };

  const finish = (slot: Slot, message: Extract<WorkerToPool, { type: "result" }>) => {
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    for (const timer of slot.timers) clearTimeout(timer);
    slot.timers = [];
    slot.job = undefined;
    const interruptedFor = slot.interruptedFor;
    slot.interruptedFor = undefined;
    if (message.ok) {
      if (!job.settled) {
        job.settled = true;
        if (job.onAbort) job.request.signal?.removeEventListener("abort", job.onAbort);
        job.resolve(JSON.parse(message.resultJson) as SandboxResult);
      }
    } else if (message.kind === "timeout" || interruptedFor) {
      fail(job, interruptedFor === "aborted" ? abortedError() : timeoutError(job.timeoutMs));
    } else {
      fail(job, errorFor(message.kind, message.message));
    }
    if (!message.ok && message.recycle) {
      retire(slot);
      replace();
    }
    dispatch();
  };

  const errorFor = (kind: SandboxError["kind"], message: string) =>
    kind === "memory"
      ? new SandboxError("memory", `Code execution exceeded the memory limit of ${memoryLimitMb} MB.`)
      : new SandboxError(kind, message);
  const timeoutError = (timeoutMs: number) =>
    new SandboxError("timeout", `Code execution timed out after ${timeoutMs} ms.`);
  const abortedError = () => new SandboxError("aborted", "Code execution was stopped.");

  const interrupt = (slot: Slot, reason: "timeout" | "aborted") => {
    const job = slot.job;
    if (!job || slot.interruptedFor) return;
    slot.interruptedFor = reason;
    Atomics.store(slot.interrupt, 0, interruptSignal);
    // A script that swallows KeyboardInterrupt, or native code that never checks the flag.
    slot.timers.push(
      setTimeout(() => {
        if (slot.job !== job) return;
        retire(slot);
        fail(job, reason === "aborted" ? abortedError() : timeoutError(job.timeoutMs));
        replace();
        dispatch();
      }, graceMs),
    );
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (!slot.ready || slot.job) continue;
      let job = queue.shift();
      while (job?.settled) job = queue.shift();
      if (!job) return;
      slot.job = job;
      slot.timers.push(setTimeout(() => interrupt(slot, "timeout"), job.timeoutMs));
      if (job.onAbort) job.request.signal?.removeEventListener("abort", job.onAbort);
      const onAbort = () => interrupt(slot, "aborted");
      job.onAbort = onAbort;
      job.request.signal?.addEventListener("abort", onAbort, { once: true });
      const message: PoolToWorker = {
        type: "run",
        id: job.id,
        language: job.request.language,
        code: job.request.code,
        inputsJson: job.inputsJson,
        timeoutMs: job.timeoutMs,
      };
      slot.worker.postMessage(message);
    }
  };

  const start = (): Promise<void> => {
    started ??= (async () => {
      indexUrl = extractPyodide(options.cacheDir);
      const url = await indexUrl;
      await Promise.all(Array.from({ length: workerCount }, () => spawn(url)));
    })();
    return started;
  };

  return {
    async run(request) {
      if (closed) throw new SandboxError("closed", "The sandbox is closed.");
      if (request.signal?.aborted) throw abortedError();
      let inputsJson: string;
      try {
        inputsJson = JSON.stringify(request.inputs ?? {});
      } catch (error) {
        throw new SandboxError("invalid_input", `The inputs are not JSON-serialisable: ${String(error)}`);
      }
      const result = new Promise<SandboxResult>((resolve, reject) => {
        const job: Job = {
          id: nextJobId++,
          request,
          inputsJson,
          timeoutMs: request.timeoutMs ?? defaultTimeoutMs,
          resolve,
          reject,
          settled: false,
        };
        job.onAbort = () => fail(job, abortedError());
        request.signal?.addEventListener("abort", job.onAbort, { once: true });
        queue.push(job);
      });
      start().then(dispatch, (error: unknown) => {
        started = undefined; // let a later request try again
        const reason = error instanceof SandboxError ? error : new SandboxError("crashed", String(error));
        for (const job of queue.splice(0)) fail(job, reason);
      });
      return result;
    },
    async warmUp() {
      await start();
      await Promise.all(replacements);
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) fail(job, new SandboxError("closed", "The sandbox is closed."));
      for (const slot of [...slots]) {
        if (slot.job) fail(slot.job, new SandboxError("closed", "The sandbox is closed."));
        retire(slot);
      }
    },
  };
}
