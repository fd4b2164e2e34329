/**
 * Reading request input the way Dify's controllers do (§1), with TypeBox schemas as the source
 * of the request types: a JSON body needs a JSON content type (415 otherwise), must parse (400
 * `bad_request`) and must be an object; schema failures are 400 `invalid_param` naming the field.
 * Query strings are coerced first ("20" → 20, "true" → true), as pydantic does.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { badRequest, invalidParam, KilnError } from "../errors";

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerFor<T extends TSchema>(schema: T): TypeCheck<T> {
  let checker = compiled.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  return checker as TypeCheck<T>;
}

/** Flask's `request.is_json`: `application/json` or any `+json` type. */
function isJsonContentType(contentType: string | null): boolean {
  if (!contentType) return false;
  const mime = contentType.split(";")[0].trim().toLowerCase();
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new KilnError(
      "unsupported_media_type",
      415,
      "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
    );
  }
  const text = await request.text();
  if (text.trim() === "") throw badRequest("Invalid JSON payload received or JSON payload is empty.");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw badRequest(`Failed to decode JSON object: ${(error as Error).message}`);
  }
  // Dify answers a 500 here (§1); a clear 400 is what a client can act on.
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidParam("The JSON body must be an object.");
  }
  return body as Record<string, unknown>;
}

function describeFailure(checker: TypeCheck<TSchema>, value: unknown): string {
  const first = checker.Errors(value).First();
  if (!first) return "Invalid request.";
  const field = first.path.replace(/^\//, "").replaceAll("/", ".") || "body";
  const reason = first.value === undefined ? "Field required" : first.schema.errorMessage ?? first.message;
  return `${field}: ${reason}`;
}

/** Checks a JSON body against a schema; unknown fields are ignored as pydantic does. */
export function validateBody<T extends TSchema>(schema: T, body: unknown): Static<T> {
  const checker = checkerFor(schema);
  if (!checker.Check(body)) throw invalidParam(describeFailure(checker, body));
  return body as Static<T>;
}

const INTEGER_TEXT = /^[+-]?\d+$/;

/**
 * Parses and checks a query string; numbers and booleans are coerced from their text. Integer
 * fields must be written as integers: TypeBox's conversion alone would read `1.5` as 1 and `0x10`
 * as 16, which pydantic refuses.
 */
export function validateQuery<T extends TSchema>(schema: T, request: Request): Static<T> {
  const queryStart = request.url.indexOf("?");
  const query: Record<string, string> =
    queryStart < 0 ? {} : Object.fromEntries(new URLSearchParams(request.url.slice(queryStart + 1)));
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  for (const [field, property] of Object.entries(properties)) {
    if (property.type === "integer" && field in query && !INTEGER_TEXT.test(query[field])) throw invalidParam(`${field}: Expected integer`);
  }
  const converted = Value.Convert(schema, query);
  const checker = checkerFor(schema);
  if (!checker.Check(converted)) throw invalidParam(describeFailure(checker, converted));
  return converted as Static<T>;
}
