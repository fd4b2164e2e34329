/**
 * The guard every `/v1` resource route uses: authenticates the bearer key (§2.2) before the
 * handler reads anything, and hands the handler the app it belongs to.
 */
import { Elysia } from "elysia";
import type { Services } from "../services";

export const apiKeyGuard = (services: Services) =>
  new Elysia({ name: "api-key-guard" }).resolve({ as: "scoped" }, ({ request }) => ({
    app: services.auth.authenticate(request).app,
  }));
