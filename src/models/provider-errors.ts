/**
 * One mapping from a provider's failure to the contract codes of `service-api.md` §3.2/§7.9:
 *
 * | failure | code |
 * |---|---|
 * | 401/403, `authentication_error`, `permission_error`, missing key | `provider_not_initialize` |
 * | 402, 429, `insufficient_quota`, `rate_limit_error` | `provider_quota_exceeded` |
 * | 404, `model_not_found`, `not_found_error` | `model_currently_not_support` |
 * | anything else (5xx, bad stream, cut stream, refused connection, timeout) | `completion_request_error` |
 *
 * The message is the provider's own description from the error body, with any configured secret
 * replaced by `***` so keys never reach a client or a log.
 */
import {
  completionRequestError,
  KilnError,
  modelCurrentlyNotSupport,
  providerNotInitialize,
  providerQuotaExceeded,
} from "../errors.ts";

const AUTH_CODES = new Set(["authentication_error", "permission_error", "invalid_api_key"]);
const QUOTA_CODES = new Set(["insufficient_quota", "rate_limit_error", "rate_limit_exceeded"]);
const MODEL_CODES = new Set(["model_not_found", "not_found_error"]);

/** What identifies a failure in an error body: OpenAI's `error.code`/`error.type`, Anthropic's `error.type`. */
interface ErrorBodyFacts {
  message?: string;
  codes: string[];
}

const asString = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Reads the message and codes out of an error body in any of the shapes OpenAI-compatible
 * servers and Anthropic use: `{error:{message,type,code}}`, `{type:"error",error:{type,message}}`,
 * Ollama's `{error:"…"}`, vLLM's `{object:"error",message,type}` and FastAPI's `{detail:"…"}`.
 */
function errorBodyFacts(body: unknown): ErrorBodyFacts {
  if (typeof body !== "object" || body === null) return { codes: [] };
  const record = body as Record<string, unknown>;
  const inner = typeof record.error === "object" && record.error !== null ? (record.error as Record<string, unknown>) : undefined;
  const message =
    asString(inner?.message) ?? asString(record.error) ?? asString(record.message) ?? asString(record.detail);
  const codes = [inner?.code, inner?.type, record.code, record.type]
    .map(asString)
    .filter((code): code is string => code !== undefined);
  return { message, codes };
}

/** Replaces every configured secret in a text, so a provider that echoes a key cannot leak it. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) if (secret.length >= 4) redacted = redacted.split(secret).join("***");
  return redacted;
}

function byCodes(codes: string[], message: string): KilnError | undefined {
  if (codes.some((code) => QUOTA_CODES.has(code))) return providerQuotaExceeded(message);
  if (codes.some((code) => AUTH_CODES.has(code))) return providerNotInitialize(message);
  if (codes.some((code) => MODEL_CODES.has(code))) return modelCurrentlyNotSupport(message);
  return undefined;
}

/** Identifies a provider in messages and carries the secrets to keep out of them. */
export interface ProviderIdentity {
  name: string;
  secrets: readonly string[];
}

/** Maps a non-2xx HTTP answer (status and raw body text) to a contract error. */
export function httpStatusError(identity: ProviderIdentity, status: number, bodyText: string): KilnError {
  let facts: ErrorBodyFacts = { codes: [] };
  try {
    facts = errorBodyFacts(JSON.parse(bodyText));
  } catch {
    // Not JSON (a proxy's HTML page, plain text): the text itself is the best description.
  }
  const description = facts.message ?? (bodyText.trim().slice(0, 500) || `HTTP ${status}`);
  const message = redactSecrets(`${identity.name}: ${description}`, identity.secrets);
  if (status === 401 || status === 403) return providerNotInitialize(message);
  // 402: OpenRouter and other resellers' "insufficient credits".
  if (status === 402 || status === 429) return providerQuotaExceeded(message);
  if (status === 404) return modelCurrentlyNotSupport(message);
  return byCodes(facts.codes, message) ?? completionRequestError(message);
}

/** Maps an error object the provider sent inside a stream (after a 200) to a contract error. */
export function streamErrorEvent(identity: ProviderIdentity, body: unknown): KilnError {
  const facts = errorBodyFacts(body);
  const message = redactSecrets(`${identity.name}: ${facts.message ?? "error in the response stream"}`, identity.secrets);
  return byCodes(facts.codes, message) ?? completionRequestError(message);
}

/** A failure that is the provider's fault but carries no body: a cut stream, bad JSON, a timeout. */
export function transportError(identity: ProviderIdentity, description: string): KilnError {
  return completionRequestError(redactSecrets(`${identity.name}: ${description}`, identity.secrets));
}
