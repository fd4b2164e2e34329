// POST /v1/messages/{id}/feedbacks and GET /v1/app/feedbacks over HTTP (service-api.md §4.14,
// §4.15, §9, §13.9; Appendix B: feedback works in every mode).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ROUTE_NOT_FOUND_MESSAGE } from "../../src/http/error-response";
import { startTestServer, type TestApp, type TestServer } from "../harness";
import { chatTurn, ECHO_MODEL, errorOf, fixtureWith, okJson } from "./chat-turns";

interface Feedback {
  id: string;
  app_id: string;
  conversation_id: string;
  message_id: string;
  rating: string;
  content: string | null;
  from_source: string;
  from_end_user_id: string;
  from_account_id: string | null;
  created_at: string;
  updated_at: string;
}

const FEEDBACK_KEYS = [
  "id", "app_id", "conversation_id", "message_id", "rating", "content", "from_source", "from_end_user_id", "from_account_id", "created_at", "updated_at",
];
const NAIVE_ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const rate = (key: string, messageId: string, body: unknown) => server.request(`/v1/messages/${messageId}/feedbacks`, { method: "POST", key, json: body });
async function rated(key: string, messageId: string, body: unknown): Promise<void> {
  const response = await rate(key, messageId, body);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ result: "success" });
}
async function appFeedbacks(key: string, query = ""): Promise<Feedback[]> {
  const body = await okJson<{ data: Feedback[] }>(await server.request(`/v1/app/feedbacks${query}`, { key }));
  expect(Object.keys(body)).toEqual(["data"]);
  return body.data;
}
async function historyFeedback(key: string, user: string, conversationId: string): Promise<unknown> {
  const body = (await (await server.request(`/v1/messages?user=${user}&conversation_id=${conversationId}`, { key })).json()) as { data: { feedback: unknown }[] };
  return body.data[0].feedback;
}
/** Feedback rows hold no timestamps finer than the second in the API, so the bounds are widened to whole seconds. */
const isoBounds = (startedMs: number) => [new Date(Math.floor(startedMs / 1000) * 1000).toISOString().slice(0, 19), new Date().toISOString().slice(0, 19)];

describe("POST /messages/{id}/feedbacks", () => {
  test("the rating table: create, update, revoke, and null without feedback", async () => {
    const app = server.importApp("chat.yml");
    const turn = await chatTurn(server, app.apiKey, "rater", "rate me");
    const started = Date.now();

    await rated(app.apiKey, turn.id, { rating: "like", content: "great", user: "rater" });
    let [feedback] = await appFeedbacks(app.apiKey);
    expect(Object.keys(feedback)).toEqual(FEEDBACK_KEYS);
    expect(feedback).toMatchObject({
      app_id: app.appId, conversation_id: turn.conversation_id, message_id: turn.id, rating: "like", content: "great",
      from_source: "user", from_account_id: null,
    });
    expect(typeof feedback.from_end_user_id).toBe("string");
    expect(feedback.created_at).toMatch(NAIVE_ISO_SECONDS);
    const [low, high] = isoBounds(started);
    expect(feedback.created_at >= low && feedback.created_at <= high).toBe(true);
    expect(await historyFeedback(app.apiKey, "rater", turn.conversation_id)).toEqual({ rating: "like" });

    await rated(app.apiKey, turn.id, { rating: "dislike", content: "changed my mind", user: "rater" });
    const updated = await appFeedbacks(app.apiKey);
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ id: feedback.id, rating: "dislike", content: "changed my mind", created_at: feedback.created_at });
    expect(await historyFeedback(app.apiKey, "rater", turn.conversation_id)).toEqual({ rating: "dislike" });

    // An update without content clears it, as Dify overwrites both fields.
    await rated(app.apiKey, turn.id, { rating: "like", user: "rater" });
    [feedback] = await appFeedbacks(app.apiKey);
    expect(feedback).toMatchObject({ rating: "like", content: null });

    await rated(app.apiKey, turn.id, { rating: null, user: "rater" });
    expect(await appFeedbacks(app.apiKey)).toEqual([]);
    expect(await historyFeedback(app.apiKey, "rater", turn.conversation_id)).toBeNull();

    for (const body of [{ rating: null, user: "rater" }, { user: "rater" }, { content: "just words", user: "rater" }]) {
      expect(await errorOf(await rate(app.apiKey, turn.id, body), 400)).toEqual({
        code: "invalid_param", message: "rating cannot be None when feedback not exists", status: 400,
      });
    }
  });

  test("ratings other than like, dislike or null are 400 invalid_param", async () => {
    const app = server.importApp("chat.yml");
    const turn = await chatTurn(server, app.apiKey, "rater", "strict");
    for (const rating of ["love", "", "LIKE", 1, true]) {
      expect((await errorOf(await rate(app.apiKey, turn.id, { rating, user: "rater" }), 400)).code).toBe("invalid_param");
    }
    expect((await errorOf(await rate(app.apiKey, turn.id, { rating: "like", content: 5, user: "rater" }), 400)).code).toBe("invalid_param");
    expect(await appFeedbacks(app.apiKey)).toEqual([]);
  });

  test("the user is required and the body must be JSON", async () => {
    const app = server.importApp("chat.yml");
    const turn = await chatTurn(server, app.apiKey, "rater", "who?");
    for (const body of [{ rating: "like" }, { rating: "like", user: "" }]) {
      expect(await errorOf(await rate(app.apiKey, turn.id, body), 400)).toEqual({ code: "invalid_param", message: "Arg user must be provided.", status: 400 });
    }
    const form = await server.request(`/v1/messages/${turn.id}/feedbacks`, { method: "POST", key: app.apiKey, body: "rating=like", headers: { "Content-Type": "text/plain" } });
    expect((await errorOf(form, 415)).code).toBe("unsupported_media_type");
  });

  test("isolation: another user's or another app's message is 404 and unrated; non-UUID ids match no route", async () => {
    const app = server.importApp("chat.yml");
    const other = server.importApp("chat.yml");
    const turn = await chatTurn(server, app.apiKey, "owner", "private");
    for (const [key, user, id] of [[app.apiKey, "intruder", turn.id], [other.apiKey, "owner", turn.id], [app.apiKey, "owner", crypto.randomUUID()]]) {
      expect(await errorOf(await rate(key, id, { rating: "like", user }), 404)).toEqual({ code: "not_found", message: "Message Not Exists.", status: 404 });
    }
    expect(await appFeedbacks(app.apiKey)).toEqual([]);
    expect((await errorOf(await rate(app.apiKey, "12345", { rating: "like", user: "owner" }), 404)).message).toBe(ROUTE_NOT_FOUND_MESSAGE);

    // Each user's feedback is their own: another user's rating on their own message does not show in mine.
    const theirs = await chatTurn(server, app.apiKey, "neighbour", "theirs");
    await rated(app.apiKey, theirs.id, { rating: "dislike", user: "neighbour" });
    expect(await historyFeedback(app.apiKey, "owner", turn.conversation_id)).toBeNull();
    expect(await appFeedbacks(other.apiKey)).toEqual([]);
  });

  test("works for completion-app messages too", async () => {
    const completion = server.importApp(fixtureWith("completion.yml", ECHO_MODEL));
    const response = await server.request("/v1/completion-messages", { method: "POST", key: completion.apiKey, json: { inputs: { language: "French", text: "hi" }, user: "c1" } });
    const message = (await response.json()) as { id: string };
    await rated(completion.apiKey, message.id, { rating: "like", user: "c1" });
    expect((await appFeedbacks(completion.apiKey)).map((feedback) => [feedback.message_id, feedback.rating])).toEqual([[message.id, "like"]]);
  });
});

describe("GET /app/feedbacks", () => {
  let app: TestApp;
  let order: string[];
  beforeAll(async () => {
    app = server.importApp("chat.yml");
    const messageIds: string[] = [];
    for (const user of ["a", "b", "c"]) {
      const first = await chatTurn(server, app.apiKey, user, `${user} one`);
      const second = await chatTurn(server, app.apiKey, user, `${user} two`, first.conversation_id);
      messageIds.push(first.id, second.id);
    }
    // Rated in a shuffled order: the list follows rating time, not message time or user.
    const ratingOrder = [3, 0, 5, 1, 4];
    for (const index of ratingOrder) {
      const user = ["a", "b", "c"][Math.floor(index / 2)];
      await rated(app.apiKey, messageIds[index], { rating: index % 2 ? "dislike" : "like", user });
    }
    order = ratingOrder.map((index) => messageIds[index]).toReversed();
  });

  test("every feedback of the app, newest first, from all its users", async () => {
    const data = await appFeedbacks(app.apiKey);
    expect(data.map((feedback) => feedback.message_id)).toEqual(order);
    expect(new Set(data.map((feedback) => feedback.from_end_user_id)).size).toBe(3);
    for (const feedback of data) {
      expect(feedback.created_at).toMatch(NAIVE_ISO_SECONDS);
      expect(feedback.updated_at).toMatch(NAIVE_ISO_SECONDS);
    }
  });

  test("page and limit slice the same order; past the end is empty", async () => {
    const pages = [await appFeedbacks(app.apiKey, "?page=1&limit=2"), await appFeedbacks(app.apiKey, "?page=2&limit=2"), await appFeedbacks(app.apiKey, "?page=3&limit=2")];
    expect(pages.map((data) => data.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((feedback) => feedback.message_id)).toEqual(order);
    expect(await appFeedbacks(app.apiKey, "?page=4&limit=2")).toEqual([]);
    expect(await appFeedbacks(app.apiKey, "?limit=1")).toHaveLength(1);
    expect(await appFeedbacks(app.apiKey, "?limit=101")).toHaveLength(5);
  });

  test("limit outside 1..101 or page below 1 is 400 invalid_param", async () => {
    for (const query of ["?limit=0", "?limit=102", "?page=0", "?page=-1", "?page=x"]) {
      expect((await errorOf(await server.request(`/v1/app/feedbacks${query}`, { key: app.apiKey }), 400)).code).toBe("invalid_param");
    }
  });

  test("another app's key sees none of them; any app mode may ask", async () => {
    const workflow = server.importApp("workflow.yml");
    expect(await appFeedbacks(workflow.apiKey)).toEqual([]);
    expect((await appFeedbacks(app.apiKey)).every((feedback) => feedback.app_id === app.appId)).toBe(true);
  });
});
