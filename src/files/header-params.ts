/**
 * Reading parameterised headers (`Content-Type`, `Content-Disposition`) with the parser
 * @fastify/busboy uses: quoting, RFC 5987 `filename*` and UTF-8 names are handled there.
 */
import parseParams from "@fastify/busboy/lib/utils/parseParams";

export type ParsedHeader = ReturnType<typeof parseParams>;

export const parseHeader = (value: string | null | undefined): ParsedHeader => parseParams(value ?? "");

/** The header's leading value, lowercased: `multipart/form-data`, `attachment`. */
export const headerValue = (parsed: ParsedHeader) => parsed[0].trim().toLowerCase();

/** A parameter's value; a later `filename*` wins over a plain `filename`, as in Werkzeug. */
export function headerParam(parsed: ParsedHeader, key: string): string | undefined {
  let found: string | undefined;
  for (const entry of parsed.slice(1)) if (Array.isArray(entry) && entry[0].toLowerCase() === key) found = entry[1];
  return found;
}

/** `type/subtype; params` → `type/subtype`, lowercased (Werkzeug's `mimetype`); "" when absent. */
export const mediaType = (value: string | null | undefined) => (value ? headerValue(parseHeader(value)) : "");
