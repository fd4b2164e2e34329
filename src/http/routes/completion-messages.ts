/** `POST /v1/completion-messages` and its stop route (§4.2, §4.3). */
import { Elysia, t } from "elysia";
import { prepareMessageTurn } from "../../apps/message-turn";
import { appUnavailable } from "../../errors";
import type { Services } from "../../services";
import type { App } from "../../store/schema";
import { apiKeyGuard } from "../api-key-guard";
import { jsonResponse } from "../json-response";
import { blockingMessageResponse, streamingMessageResponse } from "../message-response";
import { readJsonBody, validateBody } from "../request-input";
import { resolveTraceId } from "../trace-id";

const CompletionMessageRequest = t.Object({
  inputs: t.Optional(t.Record(t.String(), t.Unknown())),
  query: t.Optional(t.String()),
  response_mode: t.Optional(t.Union([t.Literal("blocking"), t.Literal("streaming"), t.Null()])),
  files: t.Optional(t.Union([t.Array(t.Unknown()), t.Null()])),
});

// §13.1: completion routes called by another mode answer app_unavailable, not not_completion_app.
function requireCompletionApp(app: App): void {
  if (app.mode !== "completion") throw appUnavailable();
}

export const completionMessageRoutes = (services: Services) =>
  new Elysia({ prefix: "/v1" })
    .use(apiKeyGuard(services))
    .post(
      "/completion-messages",
      async ({ app, request, server }) => {
        const raw = await readJsonBody(request);
        const endUser = services.endUsers.resolve(app, raw.user, true);
        requireCompletionApp(app);
        const body = validateBody(CompletionMessageRequest, raw);
        const turn = await prepareMessageTurn(services, app, endUser, {
          mode: "completion",
          query: (body.query ?? "").replaceAll("\u0000", ""),
          inputs: body.inputs ?? {},
          files: body.files,
          autoGenerateName: false,
          traceId: resolveTraceId(request, raw),
        });
        return body.response_mode === "streaming" ? streamingMessageResponse(services, turn, server, request) : blockingMessageResponse(services, turn);
      },
      { parse: "none" },
    )
    .post(
      "/completion-messages/:task_id/stop",
      async ({ app, request, params }) => {
        const raw = await readJsonBody(request);
        const endUser = services.endUsers.resolve(app, raw.user, true);
        requireCompletionApp(app);
        services.tasks.stop(params.task_id, { appId: app.id, kind: "message", endUserId: endUser.id });
        return jsonResponse({ result: "success" });
      },
      { parse: "none" },
    );
