/**
 * Requests the workflow app route tests share: a run through `POST /v1/workflows/run` (or a
 * version's route), and a poll for state that a run writes after its response has ended.
 */
import type { TestServer } from "../harness";

/** The body of a run request; `user` defaults to `"u"` so each test states only what it checks. */
export interface RunBody {
  inputs?: unknown;
  user?: unknown;
  response_mode?: "blocking" | "streaming";
  [field: string]: unknown;
}

/** `POST /v1/workflows/run`, or `/v1/workflows/{workflowId}/run` when a version id is given. */
export function runWorkflow(server: TestServer, key: string, body: RunBody, options: { workflowId?: string; signal?: AbortSignal } = {}): Promise<Response> {
  const path = options.workflowId === undefined ? "/v1/workflows/run" : `/v1/workflows/${options.workflowId}/run`;
  return server.request(path, { method: "POST", key, signal: options.signal, json: { user: "u", ...body } });
}

/** Polls `read` every 20 ms until `accept` holds (4 s at most): for rows written after a stream was left. */
export async function waitFor<T>(read: () => T | undefined, accept: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = read();
    if (value !== undefined && accept(value)) return value;
    await Bun.sleep(20);
  }
  throw new Error("condition never held");
}
