/**
 * Reads a Kiln SSE response frame by frame. The contract is about exact bytes (§7.1: `data: `
 * frames, bare `event: ping` frames that spec-following SSE clients never surface), so frames are
 * split on the blank line rather than parsed by an EventSource client.
 */
export interface SseFrame {
  raw: string;
  /** The parsed JSON of a `data:` frame. */
  data?: Record<string, any>;
}

export async function* sseFrames(response: Response): AsyncGenerator<SseFrame> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      yield raw.startsWith("data: ") ? { raw, data: JSON.parse(raw.slice(6)) } : { raw };
    }
  }
  if (buffer !== "") throw new Error(`stream ended inside a frame: ${JSON.stringify(buffer)}`);
}

export async function allFrames(response: Response): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  for await (const frame of sseFrames(response)) frames.push(frame);
  return frames;
}

/** The data events only. */
export async function dataEvents(response: Response): Promise<Record<string, any>[]> {
  return (await allFrames(response)).flatMap((frame) => (frame.data ? [frame.data] : []));
}

/**
 * Reads every data event, calling `onFirst` once when the first event named `first` arrives
 * (e.g. to stop a run mid-answer), and returns them all.
 */
export async function dataEventsWith(response: Response, first: string, onFirst: (event: Record<string, any>) => Promise<void>): Promise<Record<string, any>[]> {
  const events: Record<string, any>[] = [];
  let called = false;
  for await (const frame of sseFrames(response)) {
    if (!frame.data) continue;
    events.push(frame.data);
    if (!called && frame.data.event === first) {
      called = true;
      await onFirst(frame.data);
    }
  }
  return events;
}
