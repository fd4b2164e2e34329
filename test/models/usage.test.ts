import { describe, expect, test } from "bun:test";
import { addDecimals, multiplyDecimals } from "../../src/models/decimal.ts";
import type { LlmUsage } from "../../src/models/types.ts";
import { buildUsage, emptyUsage, sumUsages, UNPRICED } from "../../src/models/usage.ts";

describe("decimal arithmetic", () => {
  test("multiplies exactly and rounds half up", () => {
    expect(multiplyDecimals([1033, "0.001", "0.001"], 7)).toBe("0.0010330");
    expect(multiplyDecimals([3, "0.00000005"], 7)).toBe("0.0000002"); // 0.00000015 rounds up
    expect(multiplyDecimals([1, "0.00000004"], 7)).toBe("0.0000000");
    expect(multiplyDecimals([123456789, "2.5", "0.000001"], 7)).toBe("308.6419725");
  });

  test("adds without float error, keeping the longest scale", () => {
    expect(addDecimals("0.1", "0.2")).toBe("0.3");
    expect(addDecimals("0.0", "0.0")).toBe("0.0");
    expect(addDecimals("0.0010330", "0.0002560")).toBe("0.0012890");
    expect(addDecimals("12", "0.05")).toBe("12.05");
  });

  test("rejects text that is not a decimal", () => {
    expect(() => addDecimals("1e-7")).toThrow('not a decimal number: "1e-7"');
  });
});

describe("buildUsage", () => {
  test("prices prompt and completion as in the §8.1 example", () => {
    const usage = buildUsage(
      { promptTokens: 1033, completionTokens: 128 },
      { inputPrice: "0.001", outputPrice: "0.002", priceUnit: "0.001", currency: "USD" },
      { latencyMs: 768.4 },
    );
    expect(usage).toEqual({
      prompt_tokens: 1033,
      prompt_unit_price: "0.001",
      prompt_price_unit: "0.001",
      prompt_price: "0.0010330",
      completion_tokens: 128,
      completion_unit_price: "0.002",
      completion_price_unit: "0.001",
      completion_price: "0.0002560",
      total_tokens: 1161,
      total_price: "0.0012890",
      currency: "USD",
      latency: 0.768,
      time_to_first_token: null,
      time_to_generate: null,
    });
    expect(Object.keys(usage)).toEqual(Object.keys(emptyUsage()));
  });

  test("an unpriced model reports 0.0 prices in USD and rounds timings to milliseconds", () => {
    const usage = buildUsage({ promptTokens: 10, completionTokens: 5 }, { ...UNPRICED, currency: "EUR" }, {
      latencyMs: 1234.5678,
      timeToFirstTokenMs: 101.26,
      timeToGenerateMs: 1133.3,
    });
    expect(usage).toMatchObject({
      prompt_unit_price: "0.0",
      prompt_price_unit: "0.0",
      prompt_price: "0.0",
      completion_price: "0.0",
      total_price: "0.0",
      total_tokens: 15,
      currency: "USD",
      latency: 1.235,
      time_to_first_token: 0.101,
      time_to_generate: 1.133,
    });
  });

  test("the empty usage is zeros, USD and latency 0", () => {
    expect(emptyUsage()).toEqual({
      prompt_tokens: 0,
      prompt_unit_price: "0.0",
      prompt_price_unit: "0.0",
      prompt_price: "0.0",
      completion_tokens: 0,
      completion_unit_price: "0.0",
      completion_price_unit: "0.0",
      completion_price: "0.0",
      total_tokens: 0,
      total_price: "0.0",
      currency: "USD",
      latency: 0,
      time_to_first_token: null,
      time_to_generate: null,
    });
  });
});

describe("sumUsages", () => {
  const pricing = { inputPrice: "0.15", outputPrice: "0.6", priceUnit: "0.000001", currency: "USD" };
  const first = buildUsage({ promptTokens: 1000, completionTokens: 100 }, pricing, { latencyMs: 100.1 });
  const second = buildUsage({ promptTokens: 3, completionTokens: 7 }, { ...pricing, inputPrice: "0.3" }, {
    latencyMs: 200.2,
    timeToFirstTokenMs: 50,
    timeToGenerateMs: 150,
  });

  test("adds counts, prices and latency; takes unit prices and timings from the latest call", () => {
    const total: LlmUsage = sumUsages([first, second]);
    expect(total).toEqual({
      prompt_tokens: 1003,
      prompt_unit_price: "0.3",
      prompt_price_unit: "0.000001",
      prompt_price: "0.0001509",
      completion_tokens: 107,
      completion_unit_price: "0.6",
      completion_price_unit: "0.000001",
      completion_price: "0.0000642",
      total_tokens: 1110,
      total_price: "0.0002151",
      currency: "USD",
      latency: 0.3,
      time_to_first_token: 0.05,
      time_to_generate: 0.15,
    });
  });

  test("no usages sum to the empty usage, and an empty running total is replaced", () => {
    expect(sumUsages([])).toEqual(emptyUsage());
    expect(sumUsages([emptyUsage(), second])).toEqual(second);
  });
});
