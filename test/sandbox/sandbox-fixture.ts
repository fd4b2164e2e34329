/**
 * One sandbox per test file, with the Pyodide files extracted once into a shared temporary cache
 * so each file pays only the interpreter start.
 */
import { afterAll, beforeAll, expect } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxError } from "../../src/sandbox/sandbox-error.ts";
import type { Sandbox, SandboxRequest } from "../../src/sandbox/types.ts";
import { createSandbox, type SandboxOptions } from "../../src/sandbox/worker-pool.ts";

export const testCacheDir = join(tmpdir(), "kiln-sandbox-test-cache");

/** Starts a warm sandbox before the file's tests and closes it after them. */
export function useSandbox(options: Partial<SandboxOptions> = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = createSandbox({ cacheDir: testCacheDir, ...options });
    await sandbox.warmUp();
  }, 60_000);
  afterAll(() => sandbox?.close());
  return () => {
    if (!sandbox) throw new Error("sandbox not started");
    return sandbox;
  };
}

/** Runs a request that must fail and answers its SandboxError. */
export async function runFailing(sandbox: Sandbox, request: SandboxRequest): Promise<SandboxError> {
  try {
    const result = await sandbox.run(request);
    throw new Error(`expected the run to fail, it returned ${JSON.stringify(result)}`);
  } catch (error) {
    expect(error).toBeInstanceOf(SandboxError);
    return error as SandboxError;
  }
}
