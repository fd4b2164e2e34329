/**
 * One HTTP call to a model server, with the guarantees every provider needs: a time limit for
 * the answer to start (`timeoutMs`: connect until response headers), a time limit between body
 * chunks (`idleTimeoutMs`), the caller's AbortSignal, and failures mapped to contract errors.
 * A call never hangs: every wait is under one of the two timers or the caller's signal.
 *
 * A caller's abort is not an error here: `post` answers `undefined` and `serverSentEvents` simply
 * ends, so the provider can finish with what it has (the `"stop"` contract of `types.ts`).
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { httpStatusError, type ProviderIdentity, transportError } from "./provider-errors.ts";

/** Time limits of a provider's calls, in milliseconds. */
export interface ProviderTimeouts {
  /** From sending the request until the response headers arrive. */
  timeoutMs: number;
  /** Longest silence allowed between two chunks of a streamed body. */
  idleTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: ProviderTimeouts = { timeoutMs: 60_000, idleTimeoutMs: 120_000 };

export class ProviderHttpCall {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout>;
  private timedOut: "headers" | "idle" | undefined;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(
    private readonly identity: ProviderIdentity,
    private readonly timeouts: ProviderTimeouts,
    private readonly callerSignal?: AbortSignal,
  ) {
    callerSignal?.addEventListener("abort", this.onCallerAbort, { once: true });
    if (callerSignal?.aborted) this.controller.abort();
    this.timer = setTimeout(() => {
      this.timedOut ??= "headers";
      this.controller.abort();
    }, timeouts.timeoutMs);
  }

  /** True when the caller aborted (as opposed to a timeout). */
  get callerAborted(): boolean {
    return this.callerSignal?.aborted === true && this.timedOut === undefined;
  }

  /**
   * POSTs a JSON body. Answers the 2xx response, `undefined` if the caller aborted, and throws a
   * contract error for anything else (including the error body's message for non-2xx answers).
   */
  async post(url: string, headers: Record<string, string>, body: unknown): Promise<Response | undefined> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
        signal: this.controller.signal,
      });
    } catch (error) {
      if (this.callerAborted) return undefined;
      throw this.failure(error);
    }
    this.armIdleTimer();
    if (!response.ok) {
      const text = await this.readText(response);
      if (text === undefined) return undefined;
      throw httpStatusError(this.identity, response.status, text);
    }
    return response;
  }

  /** Reads a whole body as text under the idle timer; `undefined` if the caller aborted. */
  async readText(response: Response): Promise<string | undefined> {
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of this.chunks(response)) text += decoder.decode(chunk, { stream: true });
    return this.callerAborted ? undefined : text + decoder.decode();
  }

  /**
   * The server-sent events of a streamed body, parsed by `eventsource-parser`. Bytes are decoded
   * in streaming mode, so a multibyte character split across chunks arrives whole.
   */
  async *serverSentEvents(response: Response): AsyncGenerator<EventSourceMessage> {
    const pending: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => pending.push(event) });
    const decoder = new TextDecoder();
    for await (const chunk of this.chunks(response)) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      // Index loop, not shift(): a chunk can carry hundreds of events.
      for (let index = 0; index < pending.length; index++) yield pending[index];
      pending.length = 0;
    }
    parser.feed(decoder.decode());
    // A final event without its blank line still counts: some servers end the body right after it.
    parser.reset({ consume: true });
    yield* pending;
  }

  /** Releases the timer and the caller's signal listener. Call once the call is over. */
  close(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
    this.controller.abort();
  }

  private async *chunks(response: Response): AsyncGenerator<Uint8Array> {
    if (!response.body) return;
    const reader = response.body.getReader();
    try {
      while (true) {
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await reader.read();
        } catch (error) {
          if (this.callerAborted) return;
          throw this.failure(error);
        }
        if (this.controller.signal.aborted) {
          if (this.callerAborted) return;
          throw this.failure(undefined);
        }
        if (result.done) return;
        this.timer.refresh();
        yield result.value;
      }
    } finally {
      reader.releaseLock();
    }
  }

  private armIdleTimer(): void {
    clearTimeout(this.timer);
    this.timedOut = undefined;
    // Re-arming one timer per chunk (refresh) is far cheaper than a new timer per read.
    this.timer = setTimeout(() => {
      this.timedOut = "idle";
      this.controller.abort();
    }, this.timeouts.idleTimeoutMs);
  }

  private failure(error: unknown) {
    if (this.timedOut === "headers") return transportError(this.identity, `no response within ${this.timeouts.timeoutMs} ms`);
    if (this.timedOut === "idle") return transportError(this.identity, `no data for ${this.timeouts.idleTimeoutMs} ms, stream abandoned`);
    const detail = error instanceof Error ? error.message : "connection failed";
    return transportError(this.identity, `request failed: ${detail}`);
  }
}
