/**
 * Trace id resolution (§11.3): the first valid value of the `X-Trace-Id` header, the `trace_id`
 * query parameter, the JSON body's `trace_id`, and the W3C `traceparent` header's trace id.
 * It is kept with the request for logs and persisted records, never echoed in bodies.
 */
const VALID_TRACE_ID = /^[A-Za-z0-9\-_]{1,128}$/;

const valid = (value: unknown): value is string => typeof value === "string" && VALID_TRACE_ID.test(value);

export function resolveTraceId(request: Request, body?: Record<string, unknown>): string | null {
  const header = request.headers.get("x-trace-id");
  if (valid(header)) return header;
  const queryStart = request.url.indexOf("?");
  if (queryStart >= 0) {
    const fromQuery = new URLSearchParams(request.url.slice(queryStart + 1)).get("trace_id");
    if (valid(fromQuery)) return fromQuery;
  }
  if (body && valid(body.trace_id)) return body.trace_id;
  const traceparent = request.headers.get("traceparent")?.split("-")[1];
  if (traceparent && traceparent.length === 32 && valid(traceparent)) return traceparent;
  return null;
}
