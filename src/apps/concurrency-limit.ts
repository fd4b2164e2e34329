/**
 * The per-app concurrency limit (§11.1): the effective limit is the smallest positive value of
 * the app's own `max_active_requests` (or `APP_DEFAULT_ACTIVE_REQUESTS`) and
 * `APP_MAX_ACTIVE_REQUESTS`; 0 everywhere means unlimited. Rejection happens before any work,
 * as 429 `too_many_requests` (§13.4). A slot is released exactly once, whichever comes first:
 * the run finishing, failing, or its client disconnecting.
 */
import { KilnError } from "../errors";
import type { App } from "../store/schema";

export type ReleaseSlot = () => void;

export class ConcurrencyLimit {
  private readonly active = new Map<string, number>();

  constructor(private readonly limits: { appDefault: number; global: number }) {}

  limitFor(app: App): number {
    const appLimit = app.maxActiveRequests && app.maxActiveRequests > 0 ? app.maxActiveRequests : this.limits.appDefault;
    const positive = [appLimit, this.limits.global].filter((limit) => limit > 0);
    return positive.length === 0 ? 0 : Math.min(...positive);
  }

  acquire(app: App): ReleaseSlot {
    const limit = this.limitFor(app);
    const current = this.active.get(app.id) ?? 0;
    if (limit > 0 && current >= limit) {
      throw new KilnError(
        "too_many_requests",
        429,
        `Too many requests. Please try again later. The current maximum concurrent requests allowed for ${app.id} is ${limit}.`,
      );
    }
    this.active.set(app.id, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = (this.active.get(app.id) ?? 1) - 1;
      if (remaining <= 0) this.active.delete(app.id);
      else this.active.set(app.id, remaining);
    };
  }
}
