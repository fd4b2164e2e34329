/** Unauthenticated status routes: `/health` (§1) and the API root `GET /v1/` (§4.1). */
import { Elysia } from "elysia";
import { KILN_VERSION } from "../../version";
import { jsonResponse } from "../json-response";

export const statusRoutes = () =>
  new Elysia()
    .get("/health", () => jsonResponse({ pid: process.pid, status: "ok", version: KILN_VERSION }))
    .get("/v1", () => jsonResponse({ welcome: "Dify OpenAPI", api_version: "v1", server_version: KILN_VERSION }))
    .get("/v1/", () => jsonResponse({ welcome: "Dify OpenAPI", api_version: "v1", server_version: KILN_VERSION }));
