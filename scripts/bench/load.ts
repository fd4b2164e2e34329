/**
 * A small closed-loop HTTP load generator for the benchmarks: `connections` workers each send
 * the next request as soon as the previous answer arrives, for `seconds`; latencies are kept
 * for percentiles.
 */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
}

export async function runLoad(options: { connections: number; seconds: number; send: () => Promise<Response> }): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        try {
          const response = await options.send();
          await response.arrayBuffer();
          if (!response.ok) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, seconds, requestsPerSecond: latencies.length / seconds, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

export const formatLoad = (name: string, result: LoadResult) =>
  `${name.padEnd(34)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${result.p50.toFixed(2)} ms   p90 ${result.p90.toFixed(2)} ms   p99 ${result.p99.toFixed(2)} ms   (${result.requests} requests, ${result.errors} errors)`;

/** Resident memory of a process, in MB (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export async function waitForHealth(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await Bun.sleep(50);
  }
  throw new Error(`no answer from ${url}`);
}
