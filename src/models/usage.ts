/**
 * The §8.1 Usage object: token counts, exact decimal-string prices and timings. Prices follow
 * Dify's arithmetic: `tokens × unit_price × price_unit`, rounded half-up to 7 places; a side
 * without a configured price reports `"0.0"` for its price fields.
 */
import { addDecimals, multiplyDecimals } from "./decimal.ts";
import type { LlmUsage, TokenCounts } from "./types.ts";

/** Prices of one model, as configured (decimal strings). */
export interface ModelPricing {
  /** Price of one `priceUnit` of prompt tokens; absent when the model is unpriced. */
  inputPrice?: string;
  /** Price of one `priceUnit` of completion tokens; absent when unpriced. */
  outputPrice?: string;
  /** The fraction of a token count the prices are for: `"0.000001"` means per million tokens. */
  priceUnit: string;
  currency: string;
}

/** Pricing of a model nobody priced: every price field of its usage is `"0.0"`. */
export const UNPRICED: ModelPricing = { priceUnit: "0.000001", currency: "USD" };

/** Decimal places Dify quantizes prices to. */
const PRICE_SCALE = 7;
const ZERO = "0.0";

/** Timings of one call in milliseconds; the timings after the first token are unknown for some calls. */
export interface CallTimings {
  latencyMs: number;
  timeToFirstTokenMs?: number | null;
  timeToGenerateMs?: number | null;
}

const seconds = (milliseconds: number) => Math.round(milliseconds) / 1000;

function priceOf(tokens: number, unitPrice: string | undefined, priceUnit: string) {
  if (unitPrice === undefined) return { unitPrice: ZERO, priceUnit: ZERO, price: ZERO };
  return { unitPrice, priceUnit, price: multiplyDecimals([tokens, unitPrice, priceUnit], PRICE_SCALE) };
}

/** Builds the full Usage of one model call from its token counts, the model's prices and timings. */
export function buildUsage(tokens: TokenCounts, pricing: ModelPricing, timings: CallTimings): LlmUsage {
  const prompt = priceOf(tokens.promptTokens, pricing.inputPrice, pricing.priceUnit);
  const completion = priceOf(tokens.completionTokens, pricing.outputPrice, pricing.priceUnit);
  return {
    prompt_tokens: tokens.promptTokens,
    prompt_unit_price: prompt.unitPrice,
    prompt_price_unit: prompt.priceUnit,
    prompt_price: prompt.price,
    completion_tokens: tokens.completionTokens,
    completion_unit_price: completion.unitPrice,
    completion_price_unit: completion.priceUnit,
    completion_price: completion.price,
    total_tokens: tokens.promptTokens + tokens.completionTokens,
    total_price: addDecimals(prompt.price, completion.price),
    // Dify takes the currency from the prompt side, which is USD when that side is unpriced.
    currency: pricing.inputPrice === undefined ? "USD" : pricing.currency,
    latency: seconds(timings.latencyMs),
    time_to_first_token: timings.timeToFirstTokenMs == null ? null : seconds(timings.timeToFirstTokenMs),
    time_to_generate: timings.timeToGenerateMs == null ? null : seconds(timings.timeToGenerateMs),
  };
}

/** The usage of a run that called no model (§8.1: zeros, `"USD"`, latency 0). */
export function emptyUsage(): LlmUsage {
  return buildUsage({ promptTokens: 0, completionTokens: 0 }, UNPRICED, { latencyMs: 0 });
}

/**
 * Sums the usages of several calls (a workflow's LLM nodes, an agent's rounds) the way Dify's
 * `LLMUsage.plus` does: counts, prices and latency add up; unit prices, currency and the
 * first-token timings are the latest call's; a zero-token running total is replaced outright.
 */
export function sumUsages(usages: Iterable<LlmUsage>): LlmUsage {
  let total = emptyUsage();
  for (const usage of usages) {
    if (total.total_tokens === 0) {
      total = { ...usage };
      continue;
    }
    total = {
      ...usage,
      prompt_tokens: total.prompt_tokens + usage.prompt_tokens,
      prompt_price: addDecimals(total.prompt_price, usage.prompt_price),
      completion_tokens: total.completion_tokens + usage.completion_tokens,
      completion_price: addDecimals(total.completion_price, usage.completion_price),
      total_tokens: total.total_tokens + usage.total_tokens,
      total_price: addDecimals(total.total_price, usage.total_price),
      latency: Math.round((total.latency + usage.latency) * 1000) / 1000,
    };
  }
  return total;
}
