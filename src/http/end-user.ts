/**
 * The `user` argument (§2.3): any JSON value is turned into text as Python's `str()` would,
 * an empty one counts as missing, and a missing optional one means the shared `DEFAULT-USER`.
 * End users are cached per app, since they never change once created.
 */
import { LRUCache } from "lru-cache";
import { invalidParam } from "../errors";
import type { Db } from "../store/database";
import { DEFAULT_USER, getOrCreateEndUser } from "../store/end-users";
import type { App, EndUser } from "../store/schema";

function pythonStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

export class EndUsers {
  private readonly cache = new LRUCache<string, EndUser>({ max: 50_000 });

  constructor(private readonly db: Db) {}

  /** Resolves the caller; `required` endpoints answer 400 `Arg user must be provided.` without one. */
  resolve(app: App, user: unknown, required: boolean): EndUser {
    const sessionId = user === undefined || user === null ? "" : pythonStr(user);
    if (sessionId === "") {
      if (required) throw invalidParam("Arg user must be provided.");
      return this.get(app, DEFAULT_USER);
    }
    return this.get(app, sessionId);
  }

  private get(app: App, sessionId: string): EndUser {
    const cacheKey = `${app.id}\u0000${sessionId}`;
    let endUser = this.cache.get(cacheKey);
    if (!endUser) {
      endUser = getOrCreateEndUser(this.db, app.id, sessionId);
      this.cache.set(cacheKey, endUser);
    }
    return endUser;
  }
}
