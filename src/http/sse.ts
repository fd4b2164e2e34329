/**
 * The SSE writer (§7.1, spec README "SSE"): `data: <compact JSON>\n\n` frames, `event: ping\n\n`
 * keep-alives every `pingIntervalMs`, optionally one ping first (workflow and chatflow streams).
 *
 * The run behind a stream is started by the caller and owns its lifetime: when the client goes
 * away the stream just stops writing (`emit` becomes a no-op) and `onDisconnect` fires, while the
 * run goes on to the end and saves its result, as in Dify. Bun's idle timeout is lifted for the
 * request so a quiet stream is never cut.
 */
import type { Server } from "bun";

const encoder = new TextEncoder();
const PING_FRAME = encoder.encode("event: ping\n\n");

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  "X-Accel-Buffering": "no",
};

export interface SseChannel {
  /** Sends one event; returns false once the client is gone. */
  emit(event: object): boolean;
  /** Ends the response after the last event. */
  close(): void;
}

export interface SseOptions {
  pingIntervalMs: number;
  leadingPing: boolean;
  onDisconnect?: () => void;
}

export function openSse(server: Server<undefined> | null, request: Request, options: SseOptions): { response: Response; channel: SseChannel } {
  server?.timeout(request, 0);
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  let ping: ReturnType<typeof setInterval> | undefined;

  const shutDown = () => {
    open = false;
    if (ping) clearInterval(ping);
  };
  const disconnect = () => {
    if (!open) return;
    shutDown();
    options.onDisconnect?.();
  };
  const write = (bytes: Uint8Array) => {
    if (!open) return false;
    try {
      controller.enqueue(bytes);
      return true;
    } catch {
      disconnect();
      return false;
    }
  };

  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      if (options.leadingPing) controller.enqueue(PING_FRAME);
      ping = setInterval(() => write(PING_FRAME), options.pingIntervalMs);
    },
    cancel: disconnect,
  });
  request.signal.addEventListener("abort", disconnect);

  const channel: SseChannel = {
    emit: (event) => write(encoder.encode(`data: ${JSON.stringify(event)}\n\n`)),
    close: () => {
      if (!open) return;
      shutDown();
      controller.close();
    },
  };
  return { response: new Response(body, { headers: SSE_HEADERS }), channel };
}
