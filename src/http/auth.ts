/**
 * API-key authentication (§2.1–§2.2). Every failure carries its status, code and exact message,
 * in the order Dify checks them. Lookups go through short-lived LRU caches so a request costs no
 * SQLite read in the common case; the TTL bounds how long a revoked key or a deleted app keeps
 * working (a few seconds). Cache entries are keyed by the token's SHA-256 and the presented
 * token is compared with the stored one in constant time.
 */
import { timingSafeEqual } from "node:crypto";
import { LRUCache } from "lru-cache";
import { forbidden, unauthorized } from "../errors";
import { findApiKey, touchApiKey } from "../store/api-keys";
import { findApp } from "../store/apps";
import { nowMicros } from "../store/clock";
import type { Db } from "../store/database";
import type { App } from "../store/schema";

export interface AuthContext {
  app: App;
  keyId: string;
}

interface CachedKey {
  keyId: string;
  appId: string;
  token: Buffer;
}

/** A cached "no such key", so guessing keys does not turn into a database read per guess. */
const MISSING = "missing" as const;
const LAST_USED_RESOLUTION_MS = 60_000;

export class Authenticator {
  private readonly keys: LRUCache<string, CachedKey | typeof MISSING>;
  private readonly apps: LRUCache<string, App | typeof MISSING>;
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    ttlMs: number,
  ) {
    this.keys = new LRUCache({ max: 10_000, ttl: Math.max(ttlMs, 1) });
    this.apps = new LRUCache({ max: 10_000, ttl: Math.max(ttlMs, 1) });
  }

  authenticate(request: Request): AuthContext {
    const header = request.headers.get("authorization");
    const space = header ? header.search(/\s/) : -1;
    if (!header || space < 0) throw unauthorized("Authorization header must be provided and start with 'Bearer'");
    const scheme = header.slice(0, space);
    const token = header.slice(space + 1).trim();
    if (scheme.toLowerCase() !== "bearer") throw unauthorized("Authorization scheme must be 'Bearer'");

    const key = this.lookupKey(token);
    if (!key) throw unauthorized("Access token is invalid");

    const app = this.lookupApp(key.appId);
    if (!app) throw forbidden("The app no longer exists.");
    if (app.status !== "normal") throw forbidden("The app's status is abnormal.");
    if (!app.enableApi) throw forbidden("The app's API service has been disabled.");

    this.recordUse(key.keyId);
    return { app, keyId: key.keyId };
  }

  private lookupKey(token: string): CachedKey | undefined {
    const digest = new Bun.CryptoHasher("sha256").update(token).digest("hex");
    let cached = this.keys.get(digest);
    if (cached === undefined) {
      const row = findApiKey(this.db, token);
      cached = row ? { keyId: row.id, appId: row.appId, token: Buffer.from(row.token) } : MISSING;
      this.keys.set(digest, cached);
    }
    if (cached === MISSING) return undefined;
    const presented = Buffer.from(token);
    return presented.length === cached.token.length && timingSafeEqual(presented, cached.token) ? cached : undefined;
  }

  private lookupApp(appId: string): App | undefined {
    let cached = this.apps.get(appId);
    if (cached === undefined) {
      cached = findApp(this.db, appId) ?? MISSING;
      this.apps.set(appId, cached);
    }
    return cached === MISSING ? undefined : cached;
  }

  /** `last_used_at` moves at most once a minute per key (§2.1), keeping auth free of writes. */
  private recordUse(keyId: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastTouched.set(keyId, now);
    touchApiKey(this.db, keyId, nowMicros());
  }
}
