/** `POST /v1/chat-messages` and its stop route (§4.4, §4.5). */
import { Elysia, t } from "elysia";
import { prepareChatflowTurn } from "../../apps/chatflow-turn";
import { prepareMessageTurn } from "../../apps/message-turn";
import { invalidParam, notChatApp } from "../../errors";
import type { Services } from "../../services";
import type { App } from "../../store/schema";
import { isUuid } from "../../uuid";
import { apiKeyGuard } from "../api-key-guard";
import { jsonResponse } from "../json-response";
import { blockingMessageResponse, chatflowResponse, streamingMessageResponse } from "../message-response";
import { readJsonBody, validateBody } from "../request-input";
import { resolveTraceId } from "../trace-id";

const CHAT_MODES = new Set(["chat", "agent-chat", "advanced-chat"]);

export const ChatMessageRequest = t.Object({
  query: t.String(),
  // Kiln decision (spec README): a missing `inputs` is taken as {}.
  inputs: t.Optional(t.Record(t.String(), t.Unknown())),
  response_mode: t.Optional(t.Union([t.Literal("blocking"), t.Literal("streaming"), t.Null()])),
  conversation_id: t.Optional(t.Union([t.String(), t.Null()])),
  files: t.Optional(t.Union([t.Array(t.Unknown()), t.Null()])),
  auto_generate_name: t.Optional(t.Boolean()),
  workflow_id: t.Optional(t.Union([t.String(), t.Null()])),
});

export function requireChatApp(app: App): void {
  if (!CHAT_MODES.has(app.mode)) throw notChatApp();
}

export const chatMessageRoutes = (services: Services) =>
  new Elysia({ prefix: "/v1" })
    .use(apiKeyGuard(services))
    .post(
      "/chat-messages",
      async ({ app, request, server }) => {
        const raw = await readJsonBody(request);
        const endUser = services.endUsers.resolve(app, raw.user, true);
        requireChatApp(app);
        const body = validateBody(ChatMessageRequest, raw);
        const query = body.query.replaceAll("\u0000", "");
        if (query === "") throw invalidParam("query is required");
        const conversationId = body.conversation_id?.trim() ? body.conversation_id.trim() : null;
        if (conversationId && !isUuid(conversationId)) throw invalidParam("conversation_id must be a valid UUID");
        const streaming = body.response_mode === "streaming";
        if (app.mode === "agent-chat" && !streaming) throw invalidParam("Agent Chat App does not support blocking mode");
        if (app.mode === "advanced-chat") {
          const turn = await prepareChatflowTurn(services, app, endUser, {
            query, inputs: body.inputs ?? {}, conversationId, workflowId: body.workflow_id?.trim() || null, files: body.files,
            autoGenerateName: body.auto_generate_name ?? true, traceId: resolveTraceId(request, raw),
          });
          return chatflowResponse(services, turn, streaming, server, request);
        }
        if (app.mode !== "chat") throw invalidParam(`${app.mode} apps are not supported by this Kiln version yet.`);
        const turn = await prepareMessageTurn(services, app, endUser, {
          mode: "chat",
          query,
          inputs: body.inputs ?? {},
          files: body.files,
          conversationId,
          autoGenerateName: body.auto_generate_name ?? true,
          traceId: resolveTraceId(request, raw),
        });
        return streaming ? streamingMessageResponse(services, turn, server, request) : blockingMessageResponse(services, turn);
      },
      { parse: "none" },
    )
    .post(
      "/chat-messages/:task_id/stop",
      async ({ app, request, params }) => {
        const raw = await readJsonBody(request);
        const endUser = services.endUsers.resolve(app, raw.user, true);
        requireChatApp(app);
        services.tasks.stop(params.task_id, { appId: app.id, kind: "message", endUserId: endUser.id });
        return jsonResponse({ result: "success" });
      },
      { parse: "none" },
    );
