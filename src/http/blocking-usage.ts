/**
 * Blocking bodies carry prices as JSON numbers (§8.1: Decimals become an int when they have no
 * fractional part, otherwise a float), while SSE keeps them as strings.
 */
import type { LlmUsage } from "../models/types";

const PRICE_FIELDS = ["prompt_unit_price", "prompt_price_unit", "prompt_price", "completion_unit_price", "completion_price_unit", "completion_price", "total_price"] as const;

export function usageForBlocking(usage: LlmUsage): Record<string, unknown> {
  const converted: Record<string, unknown> = { ...usage };
  for (const field of PRICE_FIELDS) converted[field] = Number(usage[field]);
  return converted;
}
