/** `POST /v1/messages/{id}/feedbacks` and `GET /v1/app/feedbacks` (§4.14, §4.15): every app mode. */
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { invalidParam, notFound } from "../../errors";
import type { Services } from "../../services";
import { appFeedbacksPage, createUserFeedback, deleteFeedback, findUserFeedback, updateFeedback } from "../../store/feedbacks";
import { findOwnedMessage, type MessageFeedback } from "../../store/messages";
import { apiKeyGuard } from "../api-key-guard";
import { jsonResponse } from "../json-response";
import { readJsonBody, validateBody, validateQuery } from "../request-input";
import { uuidPathParams } from "./conversations";

const FeedbackRequest = Type.Object({
  rating: Type.Optional(Type.Union([Type.Literal("like"), Type.Literal("dislike"), Type.Null()], { errorMessage: "must be 'like', 'dislike' or null" })),
  content: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

const FeedbackListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1 })),
  // §13.9: the upper bound really is 101.
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 101 })),
});

/** §4.15: naive UTC ISO text to the second (`2025-04-24T09:24:38`), not Unix seconds. */
const isoSeconds = (micros: number) => new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19);

function feedbackItem(feedback: MessageFeedback) {
  return {
    id: feedback.id,
    app_id: feedback.appId,
    conversation_id: feedback.conversationId,
    message_id: feedback.messageId,
    rating: feedback.rating,
    content: feedback.content,
    from_source: feedback.fromSource,
    from_end_user_id: feedback.fromEndUserId,
    // Kiln has no console accounts, so no feedback is an admin's.
    from_account_id: null,
    created_at: isoSeconds(feedback.createdAt),
    updated_at: isoSeconds(feedback.updatedAt),
  };
}

export const feedbackRoutes = (services: Services) =>
  new Elysia({ prefix: "/v1" })
    .use(apiKeyGuard(services))
    .post(
      "/messages/:message_id/feedbacks",
      async ({ app, request, params }) => {
        const raw = await readJsonBody(request);
        const endUser = services.endUsers.resolve(app, raw.user, true);
        const body = validateBody(FeedbackRequest, raw);
        const message = findOwnedMessage(services.db, { appId: app.id, endUserId: endUser.id }, params.message_id);
        if (!message) throw notFound("Message Not Exists.");
        const rating = body.rating ?? null;
        const content = body.content ?? null;
        const existing = findUserFeedback(services.db, message.id, endUser.id);
        if (rating && existing) updateFeedback(services.db, existing.id, rating, content);
        else if (rating) createUserFeedback(services.db, message, endUser.id, rating, content);
        else if (existing) deleteFeedback(services.db, existing.id);
        else throw invalidParam("rating cannot be None when feedback not exists");
        return jsonResponse({ result: "success" });
      },
      { parse: "none", transform: uuidPathParams("message_id") },
    )
    .get("/app/feedbacks", ({ app, request }) => {
      const options = validateQuery(FeedbackListQuery, request);
      const rows = appFeedbacksPage(services.db, app.id, options.page ?? 1, options.limit ?? 20);
      return jsonResponse({ data: rows.map(feedbackItem) });
    });
