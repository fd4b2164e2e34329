/**
 * `GET /v1/conversations`, `DELETE /v1/conversations/{id}`, `POST /v1/conversations/{id}/name`
 * (§4.17–§4.19), and the conversation variables of chatflows (§4.20–§4.21).
 */
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { generateConversationName } from "../../apps/conversation-naming";
import { badRequest, invalidParam, notFound } from "../../errors";
import type { Services } from "../../services";
import { toSeconds } from "../../store/clock";
import {
  deleteConversation,
  findOwnedConversation,
  listConversations,
  renameConversation,
  setGeneratedName,
  type Conversation,
  type ConversationSort,
} from "../../store/conversations";
import { firstMessage } from "../../store/messages";
import {
  conversationVariablesPage,
  findConversationVariable,
  setConversationVariable,
  type ConversationVariable,
} from "../../store/conversation-variables";
import { inferSegmentType, isNumberType, valueFitsType, type SegmentType } from "../../workflow/segments";
import { apiKeyGuard } from "../api-key-guard";
import { ROUTE_NOT_FOUND_MESSAGE } from "../error-response";
import { jsonResponse, noContent } from "../json-response";
import { readJsonBody, validateBody, validateQuery } from "../request-input";
import { isUuid, UUID_PATTERN } from "../../uuid";
import { requireChatApp } from "./chat-messages";


/**
 * Dify's `<uuid:…>` path converters: a non-UUID id matches no route, so the answer is the plain
 * route 404, given before authentication as Flask routes first (§4, "Path converters").
 * Use as a route's `transform` hook; ids are compared lower-case, as PostgreSQL's uuid type does.
 */
export const uuidPathParams =
  (...names: string[]) =>
  ({ params }: { params: Record<string, string> }) => {
    for (const name of names) {
      if (!isUuid(params[name])) throw notFound(ROUTE_NOT_FOUND_MESSAGE);
      params[name] = params[name].toLowerCase();
    }
  };

/** A query cursor: a UUID, or `""` meaning none (pydantic's `UUIDStrOrEmpty`). */
export const UuidOrEmpty = Type.Union([Type.Literal(""), Type.String({ pattern: `^${UUID_PATTERN}$` })], { errorMessage: "must be a UUID or empty" });

const ConversationListQuery = Type.Object({
  last_id: Type.Optional(UuidOrEmpty),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  sort_by: Type.Optional(
    Type.Union([Type.Literal("created_at"), Type.Literal("-created_at"), Type.Literal("updated_at"), Type.Literal("-updated_at")], {
      errorMessage: "must be one of created_at, -created_at, updated_at, -updated_at",
    }),
  ),
});

// §4.20: names of [A-Za-z0-9_.-] only, with Dify's SQL-injection guard words refused too.
const VariablesQuery = Type.Object({
  last_id: Type.Optional(UuidOrEmpty),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  variable_name: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_.\\-]{1,255}$", errorMessage: "may only contain letters, digits, _ . and -" })),
});
const FORBIDDEN_NAME_PARTS = ["'", '"', ";", "--", "/*", "*/", "xp_", "sp_"];

const VariableUpdateRequest = Type.Object({ value: Type.Unknown() });

/** §4.20: `value` is the string itself for strings and JSON text for every other type (Kiln decision). */
function variableItem(variable: ConversationVariable) {
  return {
    id: variable.id,
    name: variable.name,
    value_type: variable.valueType === "integer" || variable.valueType === "float" ? "number" : variable.valueType,
    value: typeof variable.value === "string" ? variable.value : JSON.stringify(variable.value ?? null),
    description: variable.description,
    created_at: toSeconds(variable.createdAt),
    updated_at: toSeconds(variable.updatedAt),
  };
}

const ConversationRenameRequest = Type.Object({
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  auto_generate: Type.Optional(Type.Boolean()),
});

/** §8.5: the SimpleConversation object, keys in the contract's order. */
function simpleConversation(conversation: Conversation) {
  return {
    id: conversation.id,
    name: conversation.name,
    inputs: conversation.inputs,
    status: conversation.status,
    introduction: conversation.introduction,
    created_at: toSeconds(conversation.createdAt),
    updated_at: toSeconds(conversation.updatedAt),
  };
}

export const conversationRoutes = (services: Services) =>
  new Elysia({ prefix: "/v1" })
    .use(apiKeyGuard(services))
    .get("/conversations", ({ app, request, query }) => {
      const endUser = services.endUsers.resolve(app, query.user, false);
      requireChatApp(app);
      const options = validateQuery(ConversationListQuery, request);
      const owner = { appId: app.id, endUserId: endUser.id };
      let after: Conversation | undefined;
      if (options.last_id) {
        after = findOwnedConversation(services.db, owner, options.last_id.toLowerCase());
        if (!after) throw notFound("Last Conversation Not Exists.");
      }
      const limit = options.limit ?? 20;
      const sortBy: ConversationSort = options.sort_by ?? "-updated_at";
      const page = listConversations(services.db, owner, { sortBy, limit, after });
      return jsonResponse({ limit, has_more: page.hasMore, data: page.rows.map(simpleConversation) });
    })
    .delete(
      "/conversations/:conversation_id",
      async ({ app, request, params }) => {
        const raw = await readJsonBody(request);
        const endUser = services.endUsers.resolve(app, raw.user, false);
        requireChatApp(app);
        const conversation = findOwnedConversation(services.db, { appId: app.id, endUserId: endUser.id }, params.conversation_id);
        // §13.5 (Kiln decision): ownership is checked and an unknown id is a 404, not a silent 204.
        if (!conversation) throw notFound("Conversation Not Exists.");
        deleteConversation(services.db, conversation.id);
        return noContent();
      },
      { parse: "none", transform: uuidPathParams("conversation_id") },
    )
    .post(
      "/conversations/:conversation_id/name",
      async ({ app, request, params }) => {
        const raw = await readJsonBody(request);
        const endUser = services.endUsers.resolve(app, raw.user, false);
        requireChatApp(app);
        const body = validateBody(ConversationRenameRequest, raw);
        const autoGenerate = body.auto_generate ?? false;
        if (!autoGenerate && !body.name?.trim()) throw invalidParam("name is required when auto_generate is false");
        const conversation = findOwnedConversation(services.db, { appId: app.id, endUserId: endUser.id }, params.conversation_id);
        if (!conversation) throw notFound("Conversation Not Exists.");
        if (!autoGenerate) return jsonResponse(simpleConversation(renameConversation(services.db, conversation.id, body.name!)!));

        const first = firstMessage(services.db, conversation.id);
        // §4.19: Dify's uncaught MessageNotExistsError, a 400 with an empty message.
        if (!first) throw invalidParam("");
        const name = await generateConversationName(services, app, first.query);
        setGeneratedName(services.db, conversation.id, name);
        return jsonResponse(simpleConversation({ ...conversation, name }));
      },
      { parse: "none", transform: uuidPathParams("conversation_id") },
    )
    .get(
      "/conversations/:conversation_id/variables",
      ({ app, request, params, query }) => {
        const endUser = services.endUsers.resolve(app, query.user, false);
        requireChatApp(app);
        const options = validateQuery(VariablesQuery, request);
        const name = options.variable_name;
        if (name && FORBIDDEN_NAME_PARTS.some((part) => name.toLowerCase().includes(part))) throw invalidParam("variable_name: contains forbidden characters");
        const conversation = findOwnedConversation(services.db, { appId: app.id, endUserId: endUser.id }, params.conversation_id);
        if (!conversation) throw notFound("Conversation Not Exists.");
        let after: ConversationVariable | undefined;
        if (options.last_id) {
          after = findConversationVariable(services.db, conversation.id, options.last_id);
          // §4.20: Dify's uncaught service error, a 400 with an empty message.
          if (!after) throw invalidParam("");
        }
        const limit = options.limit ?? 20;
        const page = conversationVariablesPage(services.db, conversation.id, { limit, after, nameContains: name });
        return jsonResponse({ limit, has_more: page.hasMore, data: page.rows.map(variableItem) });
      },
      { transform: uuidPathParams("conversation_id") },
    )
    .put(
      "/conversations/:conversation_id/variables/:variable_id",
      async ({ app, request, params }) => {
        const raw = await readJsonBody(request);
        const endUser = services.endUsers.resolve(app, raw.user, false);
        requireChatApp(app);
        const { value } = validateBody(VariableUpdateRequest, raw);
        const conversation = findOwnedConversation(services.db, { appId: app.id, endUserId: endUser.id }, params.conversation_id);
        if (!conversation) throw notFound("Conversation Not Exists.");
        const variable = findConversationVariable(services.db, conversation.id, params.variable_id);
        if (!variable) throw notFound("Conversation Variable Not Exists.");
        const declared = variable.valueType as SegmentType;
        if (!valueFitsType(declared, value)) {
          const expected = isNumberType(declared) ? "number" : declared;
          throw badRequest(`Type mismatch: variable '${variable.name}' expects ${expected}, but got ${inferSegmentType(value ?? null)} type`);
        }
        return jsonResponse(variableItem(setConversationVariable(services.db, conversation.id, variable.id, value)!));
      },
      { parse: "none", transform: uuidPathParams("conversation_id", "variable_id") },
    );
