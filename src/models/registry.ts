/**
 * Which provider and model serve a DSL's `model: {provider, name}`.
 *
 * Providers come from three places: the env variables `OPENAI_BASE_URL` / `OPENAI_API_KEY`
 * (provider `openai`, OpenAI-compatible), kiln.yaml's `providers` section (an `openai` entry there
 * replaces the env one), and the always-present `builtin` provider. A DSL's provider string
 * (`openai`, `langgenius/openai/openai`, `ollama`…) matches a configured provider by its last path
 * segment. `KILN_MODEL_OVERRIDE=PROVIDER/MODEL` sends every call to that model instead.
 *
 * Unconfigured providers are not an error until a call resolves them, so importing a DSL that
 * names an unknown provider works; resolving it throws `provider_not_initialize`.
 */
import { modelCurrentlyNotSupport, providerNotInitialize } from "../errors.ts";
import { AnthropicProvider } from "./anthropic.ts";
import { BUILTIN_PROVIDER, BuiltinProvider } from "./builtin.ts";
import { OpenAICompatibleProvider } from "./openai-compatible.ts";
import { ModelConfigError, parseProvidersSection, type ModelSettings, type ProviderSettings } from "./provider-config.ts";
import type { ModelProvider } from "./types.ts";
import { UNPRICED, type ModelPricing } from "./usage.ts";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** A model ready to call: the provider, the name to send it, and the prices for usage. */
export interface ResolvedModel {
  provider: ModelProvider;
  /** The provider's own model name (alias applied). */
  model: string;
  pricing: ModelPricing;
}

/** A model as a DSL names it (`model.provider`, `model.name`). */
export interface ModelReference {
  provider: string;
  name: string;
}

interface RegisteredProvider {
  provider: ModelProvider;
  models: Map<string, ModelSettings>;
}

/** The last segment of a provider string: `langgenius/openai/openai` → `openai`. */
export function providerKey(provider: string): string {
  return provider.split("/").filter(Boolean).at(-1) ?? "";
}

function buildProvider(settings: ProviderSettings): ModelProvider {
  const options = {
    name: settings.name,
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    apiKeyProblem: settings.apiKeyProblem,
    timeouts: settings.timeouts,
  };
  if (settings.type === "anthropic") return new AnthropicProvider(options);
  return new OpenAICompatibleProvider({ ...options, baseUrl: settings.baseUrl ?? OPENAI_DEFAULT_BASE_URL });
}

function parseOverride(value: string | undefined): ModelReference | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const slash = value.indexOf("/");
  if (slash <= 0 || slash === value.length - 1) {
    throw new ModelConfigError(`KILN_MODEL_OVERRIDE: expected PROVIDER/MODEL (e.g. builtin/echo), got "${value}"`);
  }
  // Split at the first slash: model names may contain slashes (`meta-llama/Llama-3-8B` on vLLM).
  return { provider: value.slice(0, slash), name: value.slice(slash + 1) };
}

/** The configured providers and the rules that pick one for a call. */
export class ModelRegistry {
  private constructor(
    private readonly providers: Map<string, RegisteredProvider>,
    private readonly override: ModelReference | undefined,
  ) {}

  /**
   * Builds the registry from kiln.yaml's `providers` section (already parsed from YAML) and the
   * environment. Throws `ModelConfigError` naming the bad key for invalid configuration.
   */
  static create(options: { providers?: unknown; env: Record<string, string | undefined> }): ModelRegistry {
    const { env } = options;
    const providers = new Map<string, RegisteredProvider>();
    if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
      providers.set("openai", {
        provider: new OpenAICompatibleProvider({
          name: "openai",
          baseUrl: env.OPENAI_BASE_URL || OPENAI_DEFAULT_BASE_URL,
          apiKey: env.OPENAI_API_KEY || undefined,
        }),
        models: new Map(),
      });
    }
    for (const settings of parseProvidersSection(options.providers, env)) {
      providers.set(settings.name, { provider: buildProvider(settings), models: settings.models });
    }
    providers.set(BUILTIN_PROVIDER, { provider: new BuiltinProvider(), models: new Map() });

    const override = parseOverride(env.KILN_MODEL_OVERRIDE);
    if (override && !providers.has(providerKey(override.provider))) {
      throw new ModelConfigError(`KILN_MODEL_OVERRIDE: provider "${override.provider}" is not configured`);
    }
    return new ModelRegistry(providers, override);
  }

  /** Names of the configured providers, `builtin` included. */
  providerNames(): string[] {
    return [...this.providers.keys()];
  }

  /**
   * The model that serves a DSL's model reference (or the override's model). Throws
   * `provider_not_initialize` for an unconfigured provider and `model_currently_not_support`
   * for an empty model name.
   */
  resolve(reference: ModelReference): ResolvedModel {
    const target = this.override ?? reference;
    const key = providerKey(target.provider);
    const registered = this.providers.get(key);
    if (!registered) {
      throw providerNotInitialize(
        key === ""
          ? "No model provider given."
          : `Model provider "${key}" is not configured: set OPENAI_BASE_URL/OPENAI_API_KEY for openai, or declare it under providers in kiln.yaml.`,
      );
    }
    if (target.name.trim() === "") throw modelCurrentlyNotSupport(`${key}: no model name given.`);
    const settings = registered.models.get(target.name);
    return {
      provider: registered.provider,
      model: settings?.wireName ?? target.name,
      pricing: settings?.pricing ?? UNPRICED,
    };
  }
}
