/**
 * Exact decimal arithmetic on plain decimal strings, for prices (§8.1). Prices are multiplied
 * and summed as scaled BigInts so `"0.1" + "0.2"` is `"0.3"`, never `0.30000000000000004`.
 */

/** A non-negative decimal written as digits with an optional fraction: `"12"`, `"0.00015"`. */
export const DECIMAL_PATTERN = /^\d+(\.\d+)?$/;

interface ScaledDecimal {
  /** The value times 10^scale. */
  digits: bigint;
  /** Digits after the point. */
  scale: number;
}

function parse(value: string): ScaledDecimal {
  if (!DECIMAL_PATTERN.test(value)) throw new Error(`not a decimal number: "${value}"`);
  const [whole, fraction = ""] = value.split(".");
  return { digits: BigInt(whole + fraction), scale: fraction.length };
}

function format({ digits, scale }: ScaledDecimal): string {
  const text = digits.toString().padStart(scale + 1, "0");
  return scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}

function rescale(value: ScaledDecimal, scale: number): ScaledDecimal {
  if (scale >= value.scale) return { digits: value.digits * 10n ** BigInt(scale - value.scale), scale };
  const divisor = 10n ** BigInt(value.scale - scale);
  const quotient = value.digits / divisor;
  // Round half up, as Python's ROUND_HALF_UP does for the non-negative values prices are.
  const roundUp = (value.digits % divisor) * 2n >= divisor;
  return { digits: roundUp ? quotient + 1n : quotient, scale };
}

/** The product of decimal strings and integers, rounded half-up to `scale` places. */
export function multiplyDecimals(factors: Array<string | number>, scale: number): string {
  let product: ScaledDecimal = { digits: 1n, scale: 0 };
  for (const factor of factors) {
    const next = typeof factor === "number" ? parse(String(Math.trunc(factor))) : parse(factor);
    product = { digits: product.digits * next.digits, scale: product.scale + next.scale };
  }
  return format(rescale(product, scale));
}

/** The exact sum of decimal strings, written with as many places as the longest operand has. */
export function addDecimals(...terms: string[]): string {
  const parsed = terms.map(parse);
  const scale = Math.max(0, ...parsed.map((term) => term.scale));
  const digits = parsed.reduce((sum, term) => sum + rescale(term, scale).digits, 0n);
  return format({ digits, scale });
}
