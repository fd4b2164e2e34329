/**
 * Per-chunk cost of streaming through the OpenAI-compatible provider: a local server sends
 * 100,000 small `chat.completion.chunk` events and we time the provider's `chat()` iteration
 * against a baseline that only reads the same bytes off the socket. The difference is what the
 * provider adds per chunk (SSE parsing, JSON, event objects, the idle timer).
 *
 *   bun scripts/bench/models-stream.ts [chunks]
 */
import { OpenAICompatibleProvider } from "../../src/models/openai-compatible.ts";

const chunkCount = Number(process.argv[2] ?? 100_000);
const eventsPerWrite = 50;
const encoder = new TextEncoder();
const event = encoder.encode(
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "tok " }, finish_reason: null }] })}\n\n`,
);
const batch = new Uint8Array(event.length * eventsPerWrite);
for (let index = 0; index < eventsPerWrite; index++) batch.set(event, index * event.length);
const tail = encoder.encode(
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: chunkCount } })}\n\ndata: [DONE]\n\n`,
);

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch() {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= chunkCount) {
          controller.enqueue(tail);
          controller.close();
          return;
        }
        controller.enqueue(batch);
        sent += eventsPerWrite;
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
});
const baseUrl = `http://127.0.0.1:${server.port}/v1`;

async function rawRead(): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/chat/completions`, { method: "POST", body: "{}" });
  const reader = response.body!.getReader();
  while (!(await reader.read()).done) {
    // Only the bytes: the baseline.
  }
  return performance.now() - started;
}

async function throughProvider(): Promise<number> {
  const provider = new OpenAICompatibleProvider({ name: "bench", baseUrl });
  const started = performance.now();
  let texts = 0;
  for await (const chatEvent of provider.chat({ model: "m", messages: [{ role: "user", content: "x" }] })) {
    if (chatEvent.type === "text") texts++;
  }
  if (texts !== chunkCount) throw new Error(`expected ${chunkCount} text events, got ${texts}`);
  return performance.now() - started;
}

const best = async (run: () => Promise<number>) => {
  let fastest = Infinity;
  for (let round = 0; round < 5; round++) fastest = Math.min(fastest, await run());
  return fastest;
};

const raw = await best(rawRead);
const provider = await best(throughProvider);
const perChunk = (ms: number) => ((ms * 1000) / chunkCount).toFixed(2);
console.log(`${chunkCount} chunks (best of 5)`);
console.log(`raw socket read:      ${raw.toFixed(1)} ms  (${perChunk(raw)} µs/chunk)`);
console.log(`through the provider: ${provider.toFixed(1)} ms  (${perChunk(provider)} µs/chunk)`);
console.log(`provider overhead:    ${perChunk(provider - raw)} µs/chunk`);
server.stop(true);
