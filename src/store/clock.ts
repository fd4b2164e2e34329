/**
 * Record timestamps: integer microseconds since the epoch, strictly increasing within the
 * process. Keyset pagination (§9) orders by `created_at`/`updated_at` with no tie-breaker, so two
 * records written in the same millisecond must still differ.
 */
let last = 0;

export function nowMicros(): number {
  const now = Date.now() * 1000;
  last = now > last ? now : last + 1;
  return last;
}

/** Unix seconds, as every API field shows a timestamp. */
export const toSeconds = (micros: number): number => Math.floor(micros / 1_000_000);
