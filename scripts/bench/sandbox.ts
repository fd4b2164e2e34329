/**
 * Sandbox latency: cold start (extract Pyodide, start the workers) and warm code-node cost for
 * python3, javascript and jinja2, as median and p95 over sequential runs of a tiny program.
 * Usage: `bun scripts/bench/sandbox.ts [runs]` (default 200). Target: warm code node < 5 ms.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SandboxRequest } from "../../src/sandbox/types.ts";
import { createSandbox } from "../../src/sandbox/worker-pool.ts";

const runs = Number(process.argv[2] ?? 200);
const cacheDir = await mkdtemp(join(tmpdir(), "kiln-bench-sandbox-"));

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function measure(label: string, request: SandboxRequest): Promise<void> {
  for (let i = 0; i < 20; i++) await sandbox.run(request);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await sandbox.run(request);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(12)} median ${percentile(times, 0.5).toFixed(2)} ms   p95 ${percentile(times, 0.95).toFixed(2)} ms   (${runs} runs)`);
}

const sandbox = createSandbox({ cacheDir, workers: 2 });
try {
  const coldStarted = performance.now();
  await sandbox.warmUp();
  console.log(`cold start   ${(performance.now() - coldStarted).toFixed(0)} ms (extract Pyodide + 2 workers)`);
  await measure("python3", {
    language: "python3",
    code: "def main(arg1: str, arg2: str) -> dict:\n    return {'result': arg1 + arg2}",
    inputs: { arg1: "hello ", arg2: "world" },
  });
  await measure("javascript", {
    language: "javascript",
    code: "function main({ arg1, arg2 }) {\n  return { result: arg1 + arg2 };\n}",
    inputs: { arg1: "hello ", arg2: "world" },
  });
  await measure("jinja2", {
    language: "jinja2",
    code: "{% for item in items %}{{ loop.index }}. {{ item.title | upper }}\n{% endfor %}{{ note | default('none') }}",
    inputs: { items: [{ title: "a" }, { title: "b" }, { title: "c" }] },
  });
} finally {
  await sandbox.close();
  await rm(cacheDir, { recursive: true, force: true });
}
