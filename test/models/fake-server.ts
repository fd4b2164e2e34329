/**
 * A local HTTP server standing in for a model provider in tests: it records every request and
 * answers with whatever the test's handler returns, including bodies written piece by piece.
 */
import type { Server } from "bun";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  stop(): void;
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

/** Starts a server on a free loopback port. */
export function startFakeServer(handler: Handler): FakeServer {
  const requests: RecordedRequest[] = [];
  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const text = await request.text();
      const recorded: RecordedRequest = {
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: text === "" ? undefined : JSON.parse(text),
      };
      requests.push(recorded);
      return handler(recorded);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

const encoder = new TextEncoder();

/** Splits text into byte pieces at the given byte offsets (so pieces may cut UTF-8 characters). */
export function splitAtBytes(text: string, offsets: number[]): Uint8Array[] {
  const bytes = encoder.encode(text);
  const cuts = [0, ...offsets.filter((offset) => offset > 0 && offset < bytes.length).sort((a, b) => a - b), bytes.length];
  return cuts.slice(1).map((end, index) => bytes.slice(cuts[index], end));
}

/** Splits text into pieces of `size` bytes. */
export function splitEvery(text: string, size: number): Uint8Array[] {
  const length = encoder.encode(text).length;
  const offsets: number[] = [];
  for (let offset = size; offset < length; offset += size) offsets.push(offset);
  return splitAtBytes(text, offsets);
}

/**
 * A streamed response writing each piece separately, with a pause between pieces so they reach
 * the client as separate reads. With `hang`, the body never ends after the last piece.
 */
export function piecewiseResponse(
  pieces: Array<Uint8Array | string>,
  options: { status?: number; contentType?: string; hang?: boolean } = {},
): Response {
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index >= pieces.length) {
        if (options.hang) await new Promise(() => {});
        controller.close();
        return;
      }
      if (index > 0) await Bun.sleep(1);
      const piece = pieces[index++];
      controller.enqueue(typeof piece === "string" ? encoder.encode(piece) : piece);
    },
  });
  return new Response(body, {
    status: options.status ?? 200,
    headers: { "content-type": options.contentType ?? "text/event-stream" },
  });
}

/** A JSON response with a status, as providers send error bodies. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** Collects every event of a chat stream. */
export async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** Runs a stream to its end: the events it gave and the error it threw (`undefined` if none). */
export async function eventsAndFailure<T>(stream: AsyncIterable<T>): Promise<{ events: T[]; failure: unknown }> {
  const events: T[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (failure) {
    return { events, failure };
  }
  return { events, failure: undefined };
}

/** Runs a stream that must fail and answers its error. */
export async function failureOf(stream: AsyncIterable<unknown>): Promise<unknown> {
  const { failure } = await eventsAndFailure(stream);
  if (failure === undefined) throw new Error("expected the stream to fail");
  return failure;
}
