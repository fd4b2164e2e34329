/**
 * The `providers` section of `kiln.yaml`: its TypeBox schema and its validation into settings the
 * registry can build providers from. Errors name the offending key (`providers.ollama.type: …`).
 *
 * ```yaml
 * providers:
 *   ollama:
 *     type: openai-compatible        # or anthropic
 *     base_url: http://127.0.0.1:11434/v1
 *     api_key_env: OLLAMA_KEY        # or api_key: <literal>; neither for servers without auth
 *     timeout_ms: 60000              # until the response starts (default 60000)
 *     idle_timeout_ms: 120000        # longest silence inside a stream (default 120000)
 *     models:
 *       gpt-4o-mini:                 # the name a DSL uses
 *         alias: llama3.2            # the name sent to the server (default: the same name)
 *         input_price: "0.15"        # per price_unit of prompt tokens
 *         output_price: "0.6"
 *         price_unit: "0.000001"     # prices per million tokens (the default)
 *         currency: USD              # the default
 * ```
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { Value, type ValueError } from "@sinclair/typebox/value";
import { DECIMAL_PATTERN } from "./decimal.ts";
import type { ProviderTimeouts } from "./provider-http.ts";
import { UNPRICED, type ModelPricing } from "./usage.ts";

/** A mistake in the model configuration (kiln.yaml or `KILN_MODEL_OVERRIDE`), found at start-up. */
export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelConfigError";
  }
}

const Price = Type.Union([Type.String(), Type.Number({ minimum: 0 })]);

const ModelEntry = Type.Object(
  {
    alias: Type.Optional(Type.String({ minLength: 1 })),
    input_price: Type.Optional(Price),
    output_price: Type.Optional(Price),
    price_unit: Type.Optional(Price),
    currency: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

const ProviderEntry = Type.Object(
  {
    type: Type.Union([Type.Literal("openai-compatible"), Type.Literal("anthropic")]),
    base_url: Type.Optional(Type.String({ minLength: 1 })),
    api_key: Type.Optional(Type.String({ minLength: 1 })),
    api_key_env: Type.Optional(Type.String({ minLength: 1 })),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 1 })),
    idle_timeout_ms: Type.Optional(Type.Integer({ minimum: 1 })),
    models: Type.Optional(Type.Record(Type.String(), ModelEntry)),
  },
  { additionalProperties: false },
);

/** The schema of kiln.yaml's `providers` section: provider name → provider settings. */
export const ProvidersSection = Type.Record(Type.String(), ProviderEntry);
export type ProvidersSection = Static<typeof ProvidersSection>;

/** One model's settings after validation. */
export interface ModelSettings {
  /** The name sent to the server. */
  wireName: string;
  pricing: ModelPricing;
}

/** One provider's settings after validation, with its key looked up in the environment. */
export interface ProviderSettings {
  name: string;
  type: "openai-compatible" | "anthropic";
  baseUrl?: string;
  apiKey?: string;
  apiKeyProblem?: string;
  timeouts: Partial<ProviderTimeouts>;
  models: Map<string, ModelSettings>;
}

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const RESERVED_NAMES = new Set(["builtin"]);

/** TypeBox's first error in words for a config author: a missing key, the allowed values of an enum. */
function describe(error: ValueError): string {
  const literals = (error.schema.anyOf as TSchema[] | undefined)?.map((member) => member.const);
  const expected =
    literals && literals.every((literal) => typeof literal === "string")
      ? `expected one of ${literals.map((literal) => `"${literal}"`).join(", ")}`
      : error.message.charAt(0).toLowerCase() + error.message.slice(1);
  if (error.value !== undefined) return expected;
  return literals ? `missing (${expected})` : "missing";
}

function decimalSetting(value: string | number, key: string): string {
  const text = String(value);
  if (!DECIMAL_PATTERN.test(text)) {
    throw new ModelConfigError(`${key}: expected a non-negative decimal such as "0.0015" (quote it in YAML), got ${JSON.stringify(value)}`);
  }
  return text;
}

function modelSettings(name: string, entry: Static<typeof ModelEntry>, key: string): ModelSettings {
  const pricing: ModelPricing = {
    priceUnit: entry.price_unit === undefined ? UNPRICED.priceUnit : decimalSetting(entry.price_unit, `${key}.price_unit`),
    currency: entry.currency ?? UNPRICED.currency,
  };
  if (entry.input_price !== undefined) pricing.inputPrice = decimalSetting(entry.input_price, `${key}.input_price`);
  if (entry.output_price !== undefined) pricing.outputPrice = decimalSetting(entry.output_price, `${key}.output_price`);
  return { wireName: entry.alias ?? name, pricing };
}

function validBaseUrl(value: string, key: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ModelConfigError(`${key}: not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ModelConfigError(`${key}: expected an http or https URL`);
  return value;
}

/**
 * Validates kiln.yaml's `providers` section (a plain object parsed from YAML; `undefined` or
 * `null` mean none) and reads each provider's `api_key_env` from `env`. A key variable that is
 * unset is not an error here: calls to that provider fail with `provider_not_initialize`.
 */
export function parseProvidersSection(section: unknown, env: Record<string, string | undefined>): ProviderSettings[] {
  if (section === undefined || section === null) return [];
  if (!Value.Check(ProvidersSection, section)) {
    const first = Value.Errors(ProvidersSection, section).First();
    const path = first ? first.path.split("/").filter(Boolean).join(".") : "";
    const key = path ? `providers.${path}` : "providers";
    throw new ModelConfigError(`${key}: ${first ? describe(first) : "expected a mapping of provider names"}`);
  }
  return Object.entries(section).map(([name, entry]) => {
    const key = `providers.${name}`;
    if (!PROVIDER_NAME.test(name)) {
      throw new ModelConfigError(`${key}: a provider name is letters, digits, "_", "." and "-", starting with a letter or digit`);
    }
    if (RESERVED_NAMES.has(name)) throw new ModelConfigError(`${key}: "${name}" is the built-in provider and cannot be configured`);
    if (entry.api_key !== undefined && entry.api_key_env !== undefined) {
      throw new ModelConfigError(`${key}: give api_key or api_key_env, not both`);
    }
    const settings: ProviderSettings = {
      name,
      type: entry.type,
      timeouts: {},
      models: new Map(
        Object.entries(entry.models ?? {}).map(([model, modelEntry]) => [model, modelSettings(model, modelEntry, `${key}.models.${model}`)]),
      ),
    };
    if (entry.timeout_ms !== undefined) settings.timeouts.timeoutMs = entry.timeout_ms;
    if (entry.idle_timeout_ms !== undefined) settings.timeouts.idleTimeoutMs = entry.idle_timeout_ms;
    if (entry.base_url !== undefined) settings.baseUrl = validBaseUrl(entry.base_url, `${key}.base_url`);
    if (entry.api_key !== undefined) settings.apiKey = entry.api_key;
    if (entry.api_key_env !== undefined) {
      const value = env[entry.api_key_env];
      if (value) settings.apiKey = value;
      else settings.apiKeyProblem = `the environment variable ${entry.api_key_env} (api_key_env) is not set`;
    }
    return settings;
  });
}
