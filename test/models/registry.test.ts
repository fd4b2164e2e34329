import { describe, expect, test } from "bun:test";
import { AnthropicProvider } from "../../src/models/anthropic.ts";
import { BuiltinProvider } from "../../src/models/builtin.ts";
import { OpenAICompatibleProvider } from "../../src/models/openai-compatible.ts";
import { ModelConfigError } from "../../src/models/provider-config.ts";
import { ModelRegistry } from "../../src/models/registry.ts";
import { UNPRICED } from "../../src/models/usage.ts";
import { collect, failureOf, jsonResponse, piecewiseResponse, startFakeServer } from "./fake-server.ts";

const providers = {
  ollama: {
    type: "openai-compatible",
    base_url: "http://127.0.0.1:11434/v1",
    api_key_env: "OLLAMA_KEY",
    timeout_ms: 5000,
    models: {
      "gpt-4o-mini": { alias: "llama3.2", input_price: "0.00015", output_price: 0.0006, price_unit: "0.001", currency: "EUR" },
    },
  },
  anthropic: { type: "anthropic", api_key: "sk-ant-literal" },
};

function configError(create: () => unknown): string {
  try {
    create();
  } catch (error) {
    if (error instanceof ModelConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ModelConfigError");
}

function thrownCode(resolve: () => unknown): string | undefined {
  try {
    resolve();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("ModelRegistry.resolve", () => {
  const registry = ModelRegistry.create({ providers, env: { OPENAI_API_KEY: "sk-env", OLLAMA_KEY: "ollama-key" } });

  test("matches DSL provider strings by their last path segment", () => {
    expect(registry.resolve({ provider: "langgenius/openai/openai", name: "gpt-4o" }).provider).toBeInstanceOf(OpenAICompatibleProvider);
    expect(registry.resolve({ provider: "openai", name: "gpt-4o" }).provider.name).toBe("openai");
    expect(registry.resolve({ provider: "langgenius/ollama/ollama", name: "x" }).provider.name).toBe("ollama");
    expect(registry.resolve({ provider: "langgenius/anthropic/anthropic", name: "claude" }).provider).toBeInstanceOf(AnthropicProvider);
    expect(registry.resolve({ provider: "builtin", name: "echo" }).provider).toBeInstanceOf(BuiltinProvider);
    expect(registry.providerNames().sort()).toEqual(["anthropic", "builtin", "ollama", "openai"]);
  });

  test("applies aliases and prices; unknown models keep their name and are unpriced", () => {
    expect(registry.resolve({ provider: "ollama", name: "gpt-4o-mini" })).toMatchObject({
      model: "llama3.2",
      pricing: { inputPrice: "0.00015", outputPrice: "0.0006", priceUnit: "0.001", currency: "EUR" },
    });
    expect(registry.resolve({ provider: "ollama", name: "qwen2.5" })).toMatchObject({ model: "qwen2.5", pricing: UNPRICED });
  });

  test("an unconfigured provider fails at resolve time with provider_not_initialize", () => {
    const bare = ModelRegistry.create({ env: {} });
    expect(thrownCode(() => bare.resolve({ provider: "langgenius/openai/openai", name: "gpt-4o" }))).toBe("provider_not_initialize");
    expect(thrownCode(() => registry.resolve({ provider: "langgenius/tongyi/tongyi", name: "qwen" }))).toBe("provider_not_initialize");
    expect(thrownCode(() => registry.resolve({ provider: "", name: "x" }))).toBe("provider_not_initialize");
    expect(thrownCode(() => registry.resolve({ provider: "openai", name: " " }))).toBe("model_currently_not_support");
  });

  test("KILN_MODEL_OVERRIDE routes every call, splitting at the first slash", () => {
    const overridden = ModelRegistry.create({ providers, env: { KILN_MODEL_OVERRIDE: "builtin/echo" } });
    const resolved = overridden.resolve({ provider: "langgenius/tongyi/tongyi", name: "qwen-max" });
    expect(resolved.provider).toBeInstanceOf(BuiltinProvider);
    expect(resolved.model).toBe("echo");
    const slashed = ModelRegistry.create({ providers, env: { OLLAMA_KEY: "k", KILN_MODEL_OVERRIDE: "ollama/meta-llama/Llama-3-8B" } });
    expect(slashed.resolve({ provider: "openai", name: "gpt-4o" })).toMatchObject({ model: "meta-llama/Llama-3-8B" });
  });

  test("a malformed or unconfigured override is a configuration error", () => {
    expect(configError(() => ModelRegistry.create({ env: { KILN_MODEL_OVERRIDE: "echo" } }))).toBe(
      'KILN_MODEL_OVERRIDE: expected PROVIDER/MODEL (e.g. builtin/echo), got "echo"',
    );
    expect(configError(() => ModelRegistry.create({ env: { KILN_MODEL_OVERRIDE: "ollama/llama3" } }))).toBe(
      'KILN_MODEL_OVERRIDE: provider "ollama" is not configured',
    );
  });

  test("the env openai provider calls OPENAI_BASE_URL with OPENAI_API_KEY", async () => {
    const server = startFakeServer(() =>
      piecewiseResponse(['data: {"choices":[{"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\n', "data: [DONE]\n\n"]),
    );
    try {
      const fromEnv = ModelRegistry.create({ env: { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-env-key" } });
      const resolved = fromEnv.resolve({ provider: "openai", name: "gpt-4o-mini" });
      await collect(resolved.provider.chat({ model: resolved.model, messages: [{ role: "user", content: "x" }] }));
      expect(server.requests[0].path).toBe("/v1/chat/completions");
      expect(server.requests[0].headers.get("authorization")).toBe("Bearer sk-env-key");
    } finally {
      server.stop();
    }
  });

  test("a provider whose api_key_env is unset fails its calls with provider_not_initialize", async () => {
    const server = startFakeServer(() => jsonResponse(200, {}));
    try {
      const keyless = ModelRegistry.create({
        providers: { local: { type: "openai-compatible", base_url: server.url, api_key_env: "LOCAL_KEY" } },
        env: {},
      });
      const resolved = keyless.resolve({ provider: "local", name: "m" });
      const error = await failureOf(resolved.provider.chat({ model: resolved.model, messages: [] }));
      expect(error).toMatchObject({ code: "provider_not_initialize" });
      expect((error as Error).message).toContain("LOCAL_KEY");
      expect(server.requests).toHaveLength(0);
    } finally {
      server.stop();
    }
  });
});

describe("kiln.yaml providers validation", () => {
  const cases: Array<[string, unknown, string]> = [
    ["an unknown type", { x: { type: "gemini" } }, 'providers.x.type: expected one of "openai-compatible", "anthropic"'],
    ["a missing type", { x: { base_url: "http://h" } }, 'providers.x.type: missing (expected one of "openai-compatible", "anthropic")'],
    ["a misspelt key", { x: { type: "anthropic", base_ur: "http://h" } }, "providers.x.base_ur: unexpected property"],
    ["a bad timeout", { x: { type: "anthropic", timeout_ms: -5 } }, "providers.x.timeout_ms: expected integer to be greater or equal to 1"],
    ["a bad price", { x: { type: "anthropic", models: { m: { input_price: "cheap" } } } }, 'providers.x.models.m.input_price: expected a non-negative decimal such as "0.0015" (quote it in YAML), got "cheap"'],
    ["a price in exponent notation", { x: { type: "anthropic", models: { m: { output_price: 1e-7 } } } }, 'providers.x.models.m.output_price: expected a non-negative decimal such as "0.0015" (quote it in YAML), got 1e-7'],
    ["a bad base_url", { x: { type: "openai-compatible", base_url: "ftp://h" } }, "providers.x.base_url: expected an http or https URL"],
    ["both key kinds", { x: { type: "anthropic", api_key: "a", api_key_env: "B" } }, "providers.x: give api_key or api_key_env, not both"],
    ["the reserved builtin name", { builtin: { type: "anthropic" } }, 'providers.builtin: "builtin" is the built-in provider and cannot be configured'],
    ["a name with a slash", { "a/b": { type: "anthropic" } }, 'providers.a/b: a provider name is letters, digits, "_", "." and "-", starting with a letter or digit'],
    ["a list instead of a mapping", ["ollama"], "providers: expected object"],
  ];
  for (const [what, section, message] of cases) {
    test(`rejects ${what}`, () => {
      expect(configError(() => ModelRegistry.create({ providers: section, env: {} }))).toBe(message);
    });
  }

  test("accepts an absent section", () => {
    expect(ModelRegistry.create({ providers: null, env: {} }).providerNames()).toEqual(["builtin"]);
  });
});
