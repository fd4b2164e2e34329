/**
 * The one place errors become HTTP responses (§3.1): `{code, message, status}` for every
 * contract error; 500 `unknown` with a fixed message for anything unexpected, whose details go
 * only to the log, tagged with the request's trace id.
 */
import { KilnError } from "../errors";
import { jsonResponse } from "./json-response";

/** Werkzeug's default 404 text, which Flask answers for unknown routes. */
export const ROUTE_NOT_FOUND_MESSAGE =
  "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";

export function errorBody(error: KilnError) {
  return { code: error.code, message: error.message, status: error.status };
}

export function kilnErrorResponse(error: KilnError): Response {
  return jsonResponse(errorBody(error), error.status, error.headers);
}

export function unexpectedErrorResponse(error: unknown, traceId: string): Response {
  console.error(`[kiln] unexpected error (trace ${traceId}):`, error);
  // §3.1 rule 4: note the key order differs from the contract errors.
  return jsonResponse({ message: "Internal Server Error", code: "unknown", status: 500 }, 500);
}
