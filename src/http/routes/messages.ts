/** `GET /v1/messages` (§4.13) and `GET /v1/messages/{id}/suggested` (§4.16). */
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { suggestQuestions } from "../../apps/suggested-questions";
import { notFound } from "../../errors";
import { signFileUrl } from "../../files/signed-url";
import type { Services } from "../../services";
import { toSeconds } from "../../store/clock";
import { findOwnedConversation } from "../../store/conversations";
import {
  filesOfMessages,
  findMessageInConversation,
  findOwnedMessage,
  messagesPage,
  thoughtsOfMessages,
  userFeedbacks,
  type Message,
} from "../../store/messages";
import { apiKeyGuard } from "../api-key-guard";
import { jsonResponse } from "../json-response";
import { validateQuery } from "../request-input";
import { requireChatApp } from "./chat-messages";
import { uuidPathParams, UuidOrEmpty } from "./conversations";

/** Dify's `UUID_NIL`: service-API chats are linear, so every message hangs off the root. */
const ROOT_PARENT_ID = "00000000-0000-0000-0000-000000000000";

const MessageListQuery = Type.Object({
  conversation_id: UuidOrEmpty,
  first_id: Type.Optional(UuidOrEmpty),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

/** §8.4 MessageListItem for a page of messages, keys in the contract's order. */
function messageListItems(services: Services, rows: Message[], endUserId: string) {
  const ids = rows.map((row) => row.id);
  const feedbacks = userFeedbacks(services.db, ids, endUserId);
  const thoughts = Map.groupBy(thoughtsOfMessages(services.db, ids), (thought) => thought.messageId);
  const files = Map.groupBy(filesOfMessages(services.db, ids), ({ file }) => file.messageId);
  return rows.map((message) => {
    const feedback = feedbacks.get(message.id);
    const retrieverResources = message.metadata.retriever_resources;
    return {
      id: message.id,
      conversation_id: message.conversationId,
      parent_message_id: ROOT_PARENT_ID,
      inputs: message.inputs,
      query: message.query,
      answer: message.answer,
      feedback: feedback ? { rating: feedback.rating } : null,
      retriever_resources: Array.isArray(retrieverResources) ? retrieverResources : [],
      created_at: toSeconds(message.createdAt),
      agent_thoughts: (thoughts.get(message.id) ?? []).map((thought) => ({
        id: thought.id,
        chain_id: null,
        message_id: thought.messageId,
        position: thought.position,
        thought: thought.thought,
        tool: thought.tool,
        tool_labels: thought.toolLabels ?? {},
        tool_input: thought.toolInput,
        created_at: toSeconds(thought.createdAt),
        observation: thought.observation,
        files: thought.files,
      })),
      message_files: (files.get(message.id) ?? []).map(({ file, upload }) => ({
        id: file.id,
        filename: upload?.name ?? "",
        type: file.type,
        // §8.4: remote files keep their URL, uploaded ones get a fresh signed link (§10.2).
        url: file.transferMethod === "remote_url" ? file.url : file.uploadFileId ? signFileUrl(services, file.uploadFileId) : null,
        mime_type: upload?.mimeType ?? null,
        size: upload?.size ?? null,
        transfer_method: file.transferMethod,
        belongs_to: file.belongsTo,
        upload_file_id: file.uploadFileId,
      })),
      // §8.7: the contract knows `normal` and `error`; a stopped answer is a normal one, as in Dify.
      status: message.status === "error" ? "error" : "normal",
      error: message.error,
    };
  });
}

export const messageRoutes = (services: Services) =>
  new Elysia({ prefix: "/v1" })
    .use(apiKeyGuard(services))
    .get("/messages", ({ app, request, query }) => {
      const endUser = services.endUsers.resolve(app, query.user, false);
      requireChatApp(app);
      const options = validateQuery(MessageListQuery, request);
      const limit = options.limit ?? 20;
      if (options.conversation_id === "") return jsonResponse({ limit, has_more: false, data: [] });
      const conversation = findOwnedConversation(services.db, { appId: app.id, endUserId: endUser.id }, options.conversation_id.toLowerCase());
      if (!conversation) throw notFound("Conversation Not Exists.");
      let before: Message | undefined;
      if (options.first_id) {
        before = findMessageInConversation(services.db, conversation.id, options.first_id.toLowerCase());
        if (!before) throw notFound("First Message Not Exists.");
      }
      const page = messagesPage(services.db, conversation.id, limit, before);
      // §4.13 step 3: fetched newest first, answered oldest first.
      const rows = page.rows.toReversed();
      return jsonResponse({ limit, has_more: page.hasMore, data: messageListItems(services, rows, endUser.id) });
    })
    .get(
      "/messages/:message_id/suggested",
      async ({ app, params, query }) => {
        const endUser = services.endUsers.resolve(app, query.user, true);
        requireChatApp(app);
        const message = findOwnedMessage(services.db, { appId: app.id, endUserId: endUser.id }, params.message_id);
        if (!message) throw notFound("Message Not Exists.");
        const questions = await suggestQuestions(services, app, message.conversationId);
        return jsonResponse({ result: "success", data: questions });
      },
      { transform: uuidPathParams("message_id") },
    );
