/**
 * Assembles the HTTP server: common headers (§1: `X-Version`, `X-Env`, CORS), the error
 * envelope for everything thrown (§3), the resource routes, and a graceful stop.
 */
import { Elysia } from "elysia";
import { KilnError } from "../errors";
import type { Services } from "../services";
import { KILN_VERSION } from "../version";
import { kilnErrorResponse, ROUTE_NOT_FOUND_MESSAGE, unexpectedErrorResponse } from "./error-response";
import { jsonResponse } from "./json-response";
import { appInfoRoutes } from "./routes/app-info";
import { fileRoutes } from "./routes/files";
import { chatMessageRoutes } from "./routes/chat-messages";
import { completionMessageRoutes } from "./routes/completion-messages";
import { conversationRoutes } from "./routes/conversations";
import { feedbackRoutes } from "./routes/feedbacks";
import { messageRoutes } from "./routes/messages";
import { statusRoutes } from "./routes/status";
import { workflowRoutes } from "./routes/workflows";
import { resolveTraceId } from "./trace-id";

const COMMON_HEADERS = {
  "X-Version": KILN_VERSION,
  "X-Env": "PRODUCTION",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "X-Version, X-Env, X-Trace-Id",
};

const PREFLIGHT_HEADERS = {
  ...COMMON_HEADERS,
  "Access-Control-Allow-Headers": "Content-Type, X-App-Code, X-App-Passport, Authorization",
  "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE, OPTIONS, PATCH",
};

export function createHttpApp(services: Services) {
  return new Elysia()
    .onRequest(({ request, set }) => {
      if (request.method === "OPTIONS") return new Response(null, { status: 200, headers: PREFLIGHT_HEADERS });
      Object.assign(set.headers, COMMON_HEADERS);
    })
    .onError(({ code, error, request }) => {
      if (error instanceof KilnError) return kilnErrorResponse(error);
      if (code === "NOT_FOUND") return jsonResponse({ code: "not_found", message: ROUTE_NOT_FOUND_MESSAGE, status: 404 }, 404);
      if (code === "PARSE") return jsonResponse({ code: "bad_request", message: "Failed to decode the request body.", status: 400 }, 400);
      return unexpectedErrorResponse(error, resolveTraceId(request) ?? crypto.randomUUID());
    })
    .use(statusRoutes())
    .use(appInfoRoutes(services))
    .use(fileRoutes(services))
    .use(chatMessageRoutes(services))
    .use(completionMessageRoutes(services))
    .use(conversationRoutes(services))
    .use(messageRoutes(services))
    .use(feedbackRoutes(services))
    .use(workflowRoutes(services));
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish for up to `shutdownTimeoutMs`, then closes. */
  stop(): Promise<void>;
}

export function startHttpServer(services: Services): RunningServer {
  const app = createHttpApp(services);
  const { host, port, shutdownTimeoutMs } = services.settings;
  app.listen({ hostname: host, port, idleTimeout: 30 });
  const server = app.server!;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`;
  if (!services.settings.publicUrl) services.publicUrl = url;
  return {
    url,
    port: server.port!,
    async stop() {
      const graceful = server.stop(false);
      const deadline = new Promise<"timeout">((resolve) => setTimeout(resolve, shutdownTimeoutMs, "timeout").unref());
      if ((await Promise.race([graceful, deadline])) === "timeout") await server.stop(true);
    },
  };
}
