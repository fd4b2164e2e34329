/** API keys: `app-` plus 24 characters of [A-Za-z0-9] (§2.1), at most 10 per app. */
import { randomBytes } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { invalidParam } from "../errors";
import { nowMicros } from "./clock";
import type { Db } from "./database";
import { apiKeys } from "./schema";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const MAX_KEYS_PER_APP = 10;
export const API_KEY_PATTERN = /^app-[A-Za-z0-9]{24}$/;

/** 24 characters from a CSPRNG; rejection sampling keeps every character equally likely. */
export function generateApiKey(): string {
  let key = "app-";
  while (key.length < 28) {
    for (const byte of randomBytes(32)) {
      if (byte < 248 && key.length < 28) key += ALPHABET[byte % 62];
    }
  }
  return key;
}

export function createApiKey(db: Db, appId: string): string {
  const [{ keys }] = db.select({ keys: count() }).from(apiKeys).where(eq(apiKeys.appId, appId)).all();
  if (keys >= MAX_KEYS_PER_APP) throw invalidParam(`An app can have at most ${MAX_KEYS_PER_APP} API keys.`);
  const token = generateApiKey();
  db.insert(apiKeys).values({ id: crypto.randomUUID(), appId, token, createdAt: nowMicros() }).run();
  return token;
}

export function listApiKeys(db: Db, appId: string) {
  return db.select().from(apiKeys).where(eq(apiKeys.appId, appId)).orderBy(apiKeys.createdAt).all();
}

/** Deletes the key; returns false when no such key exists. */
export function revokeApiKey(db: Db, token: string): boolean {
  return db.delete(apiKeys).where(eq(apiKeys.token, token)).returning({ id: apiKeys.id }).all().length > 0;
}

export function findApiKey(db: Db, token: string) {
  return db.select().from(apiKeys).where(eq(apiKeys.token, token)).get();
}

/** Dify updates `last_used_at` at most once a minute (§2.1); so does Kiln, to keep auth read-only. */
export function touchApiKey(db: Db, id: string, now: number): void {
  db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)).run();
}
