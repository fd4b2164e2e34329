/**
 * Benchmark: workflow apps through the Service API, the server in its own process and the load
 * from this one. Two figures:
 * 1. runs/s of blocking `POST /v1/workflows/run` on start → llm (builtin/echo) → end, one
 *    connection and `connections` in flight (every run writes its run row, three node rows and
 *    the app log row);
 * 2. the latency of a warm python code node through the API (start → python → end), sequential:
 *    the HTTP round trip and the run's own `elapsed_time`, medians.
 * Usage: bun scripts/bench/workflow-runs.ts [seconds=8] [connections=16] [codeRuns=200]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLoad, runLoad, waitForHealth } from "./load";

const seconds = Number(process.argv[2] ?? 8);
const connections = Number(process.argv[3] ?? 16);
const codeRuns = Number(process.argv[4] ?? 200);
const root = join(import.meta.dir, "../..");
const dataDir = mkdtempSync(join(tmpdir(), "kiln-bench-"));
const port = 23000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;

const run = (args: string[]) => Bun.spawn([process.execPath, ...args], { cwd: root, stdout: "pipe", stderr: "inherit" });
const importKey = async (file: string) =>
  JSON.parse(await new Response(run(["src/main.ts", "app", "import", file, "--data", dataDir, "--json"]).stdout).text()).api_key as string;

const echoKey = await importKey("test/fixtures/dsl/wf-echo.yml");
const codeKey = await importKey("test/fixtures/dsl/wf-python-code.yml");
const kiln = run(["src/main.ts", "serve", "--port", String(port), "--data", dataDir]);

const post = (key: string, body: unknown) =>
  fetch(`${base}/v1/workflows/run`, { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });

interface RunAnswer {
  data: { status: string; elapsed_time: number };
}

async function codeRun(n: number): Promise<{ roundTripMs: number; elapsedMs: number }> {
  const begin = performance.now();
  const answer = (await (await post(codeKey, { inputs: { n }, user: "bench" })).json()) as RunAnswer;
  const roundTripMs = performance.now() - begin;
  if (answer.data.status !== "succeeded") throw new Error(`code run ${answer.data.status}: ${JSON.stringify(answer)}`);
  return { roundTripMs, elapsedMs: answer.data.elapsed_time * 1000 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const percentile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;

try {
  await waitForHealth(`${base}/health`);
  let counter = 0;
  const echoSend = () => post(echoKey, { inputs: { q: `benchmark question ${counter++}` }, user: `user-${counter % 50}`, response_mode: "blocking" });

  await runLoad({ connections, seconds: 2, send: echoSend }); // warm-up (tokenizer, JIT, graph cache)
  const single = await runLoad({ connections: 1, seconds, send: echoSend });
  const many = await runLoad({ connections, seconds, send: echoSend });
  console.log(`blocking workflows/run, start → llm (builtin/echo) → end, ${seconds} s each`);
  console.log(formatLoad("1 connection", single));
  console.log(formatLoad(`${connections} connections`, many));

  // The server warms its sandbox workers in the background at start; these runs make sure every
  // worker has CPython loaded before anything is timed.
  const coldBegin = performance.now();
  await Promise.all(Array.from({ length: 8 }, (_, index) => codeRun(index)));
  const coldMs = performance.now() - coldBegin;
  const samples: { roundTripMs: number; elapsedMs: number }[] = [];
  for (let index = 0; index < codeRuns; index++) samples.push(await codeRun(index));
  const roundTrips = samples.map((sample) => sample.roundTripMs);
  console.log(`python code node through the API (start → python → end), ${codeRuns} sequential warm runs (8 parallel warm-up runs took ${coldMs.toFixed(0)} ms)`);
  console.log(
    `round trip p50 ${median(roundTrips).toFixed(2)} ms   p90 ${percentile(roundTrips, 0.9).toFixed(2)} ms   run elapsed_time p50 ${median(samples.map((sample) => sample.elapsedMs)).toFixed(2)} ms`,
  );
} finally {
  kiln.kill();
  await kiln.exited;
  rmSync(dataDir, { recursive: true, force: true });
}
