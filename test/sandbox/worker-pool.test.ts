import { describe, expect, test } from "bun:test";
import type { SandboxRequest } from "../../src/sandbox/types.ts";
import { runFailing, useSandbox } from "./sandbox-fixture.ts";

const sandbox = useSandbox({ workers: 2, memoryLimitMb: 128 });
const python = (code: string, extra: Partial<SandboxRequest> = {}): SandboxRequest => ({ language: "python3", code, inputs: {}, ...extra });
const javascript = (code: string, extra: Partial<SandboxRequest> = {}): SandboxRequest => ({ language: "javascript", code, inputs: {}, ...extra });
const pythonOk = python("def main():\n    return {'ok': True}");
const javascriptOk = javascript("function main() { return { ok: true }; }");

describe("sandbox worker pool", () => {
  test("an infinite Python loop times out and the worker stays usable", async () => {
    const error = await runFailing(sandbox(), python("def main():\n    while True:\n        pass", { timeoutMs: 300 }));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("Code execution timed out after 300 ms.");
    for (let i = 0; i < 4; i++) expect(await sandbox().run(pythonOk)).toEqual({ ok: true });
  });

  test("a script that swallows the interrupt is terminated and its worker replaced", async () => {
    const stubborn = "def main():\n    while True:\n        try:\n            while True:\n                pass\n        except KeyboardInterrupt:\n            pass";
    const error = await runFailing(sandbox(), python(stubborn, { timeoutMs: 200 }));
    expect(error.kind).toBe("timeout");
    const results = await Promise.all([sandbox().run(pythonOk), sandbox().run(pythonOk), sandbox().run(javascriptOk)]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
  }, 30_000);

  test("an infinite JavaScript loop times out and the worker stays usable", async () => {
    const error = await runFailing(sandbox(), javascript("function main() { while (true) {} }", { timeoutMs: 300 }));
    expect(error.kind).toBe("timeout");
    expect(await sandbox().run(javascriptOk)).toEqual({ ok: true });
  });

  test("a Python memory blow-up is a clear error and the pool recovers", async () => {
    const error = await runFailing(sandbox(), python("def main():\n    blocks = []\n    while True:\n        blocks.append(bytearray(16 * 1024 * 1024))"));
    expect(error.kind).toBe("memory");
    expect(error.message).toBe("Code execution exceeded the memory limit of 128 MB.");
    expect(await sandbox().run(pythonOk)).toEqual({ ok: true });
  }, 30_000);

  test("a JavaScript memory blow-up is a clear error and the pool recovers", async () => {
    const error = await runFailing(sandbox(), javascript("function main() { const a = []; while (true) a.push(new Array(100000).fill(1)); }"));
    expect(error.kind).toBe("memory");
    expect(await sandbox().run(javascriptOk)).toEqual({ ok: true });
  }, 30_000);

  test("more requests than workers are queued and all answered", async () => {
    const runs = Array.from({ length: 12 }, (_, i) =>
      sandbox().run(i % 2 ? python("def main(i):\n    return {'i': i}", { inputs: { i } }) : javascript("function main({ i }) { return { i }; }", { inputs: { i } })),
    );
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 12 }, (_, i) => ({ i })));
  });

  test("a spinning run blocks neither another worker nor the main thread", async () => {
    await sandbox().warmUp(); // earlier tests replaced workers: let both be ready
    const events: string[] = [];
    const spin = sandbox()
      .run(python("import time\ndef main():\n    end = time.time() + 2\n    while time.time() < end:\n        pass\n    return {}"))
      .then(() => events.push("spin done"));
    await Bun.sleep(50); // let the spin reach its worker first
    const timer = new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => events.push("timer"));
    const other = sandbox().run(pythonOk).then(() => events.push("other run"));
    await Promise.all([spin, timer, other]);
    expect(events.indexOf("spin done")).toBe(2);
    expect(events).toContain("timer");
    expect(events).toContain("other run");
  }, 30_000);

  test("aborting a run stops it, aborting a queued run drops it", async () => {
    const running = new AbortController();
    const spinning = runFailing(sandbox(), python("def main():\n    while True:\n        pass", { signal: running.signal }));
    setTimeout(() => running.abort(), 100);
    expect((await spinning).kind).toBe("aborted");
    const early = new AbortController();
    early.abort();
    expect((await runFailing(sandbox(), python("def main():\n    return {}", { signal: early.signal }))).kind).toBe("aborted");
    expect(await sandbox().run(pythonOk)).toEqual({ ok: true });
  });

  test("inputs JSON cannot carry are refused clearly", async () => {
    const error = await runFailing(sandbox(), { language: "python3", code: "def main(n):\n    return {}", inputs: { n: 10n } });
    expect(error.kind).toBe("invalid_input");
  });
});
