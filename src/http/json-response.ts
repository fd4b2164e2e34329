/**
 * JSON bodies as Dify writes them (§1): `json.dumps` with ASCII escaping, so non-ASCII text
 * travels as `\uXXXX`. Clients decode both forms alike; matching byte-for-byte keeps snapshots
 * of Dify responses comparable.
 */
const NON_ASCII = /[\u007f-\uffff]/g;

const escapeChar = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(NON_ASCII, escapeChar);
}

export function jsonResponse(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(asciiJson(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** 204 answers carry no body (§1: Werkzeug drops it). */
export const noContent = () => new Response(null, { status: 204 });
