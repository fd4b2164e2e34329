/**
 * Benchmark: blocking `POST /v1/chat-messages` on `builtin/echo` against a bare Bun.serve doing
 * the same SQLite writes (reference-server.ts), each server in its own process, the load from
 * this one. Then the memory of 1,000 concurrent open streams.
 * Usage: bun scripts/bench/chat-messages.ts [seconds=8] [connections=32]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLoad, rssMb, runLoad, waitForHealth } from "./load";

const seconds = Number(process.argv[2] ?? 8);
const connections = Number(process.argv[3] ?? 32);
const root = join(import.meta.dir, "../..");
const dataDir = mkdtempSync(join(tmpdir(), "kiln-bench-"));
const kilnPort = 21000 + Math.floor(Math.random() * 1000);
const referencePort = kilnPort + 1;

const run = (args: string[]) => Bun.spawn([process.execPath, ...args], { cwd: root, stdout: "pipe", stderr: "inherit" });

const importKey = async (file: string) =>
  JSON.parse(await new Response(run(["src/main.ts", "app", "import", file, "--data", dataDir, "--json"]).stdout).text()).api_key as string;
const key = await importKey("src/dsl/demo-app.yml");
const slowKey = await importKey("scripts/bench/slow-echo.yml");
const kiln = run(["src/main.ts", "serve", "--port", String(kilnPort), "--data", dataDir]);
const reference = run(["scripts/bench/reference-server.ts", String(referencePort), join(dataDir, "reference.db")]);
try {
  await waitForHealth(`http://127.0.0.1:${kilnPort}/health`);
  await waitForHealth(`http://127.0.0.1:${referencePort}/`);
  let counter = 0;
  const body = () => JSON.stringify({ inputs: {}, query: `benchmark question number ${counter++}`, user: `user-${counter % 50}`, response_mode: "blocking", auto_generate_name: false });
  const kilnSend = () => fetch(`http://127.0.0.1:${kilnPort}/v1/chat-messages`, { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: body() });
  const referenceSend = () => fetch(`http://127.0.0.1:${referencePort}/`, { method: "POST", headers: { "Content-Type": "application/json" }, body: body() });

  // Memory first, on a fresh process: 1,000 concurrent open streams on a slow echo model.
  const idle = await rssMb(kiln.pid);
  const controllers = Array.from({ length: 1000 }, () => new AbortController());
  const streams = await Promise.all(
    controllers.map((controller, index) =>
      fetch(`http://127.0.0.1:${kilnPort}/v1/chat-messages`, {
        method: "POST", signal: controller.signal,
        headers: { Authorization: `Bearer ${slowKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ inputs: {}, query: "slow words keep this stream open for a while", user: `s${index}`, response_mode: "streaming", auto_generate_name: false }),
      }),
    ),
  );
  await Promise.all(streams.map(async (stream) => void (await stream.body!.getReader().read())));
  const open = await rssMb(kiln.pid);
  console.log(`memory: idle ${idle.toFixed(0)} MB, with 1,000 open streams ${open.toFixed(0)} MB (${(((open - idle) * 1024) / 1000).toFixed(0)} KB per stream)`);
  for (const controller of controllers) controller.abort();

  await runLoad({ connections, seconds: 2, send: kilnSend }); // warm-up (tokenizer, JIT)
  await runLoad({ connections, seconds: 2, send: referenceSend });
  const kilnResult = await runLoad({ connections, seconds, send: kilnSend });
  const referenceResult = await runLoad({ connections, seconds, send: referenceSend });
  console.log(`blocking chat-messages, builtin/echo, ${connections} connections, ${seconds} s each`);
  console.log(formatLoad("kiln", kilnResult));
  console.log(formatLoad("reference (bare Bun.serve + SQLite)", referenceResult));
  console.log(`ratio: ${((kilnResult.requestsPerSecond / referenceResult.requestsPerSecond) * 100).toFixed(0)}% of the reference; median added latency ${(kilnResult.p50 - referenceResult.p50).toFixed(2)} ms`);

} finally {
  kiln.kill();
  reference.kill();
  await Promise.all([kiln.exited, reference.exited]);
  rmSync(dataDir, { recursive: true, force: true });
}
