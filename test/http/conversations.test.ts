// GET /v1/conversations, DELETE /v1/conversations/{id}, POST /v1/conversations/{id}/name over HTTP
// (service-api.md §4.17–§4.19, §8.5, §9; Kiln decision §13.5 for DELETE).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createConversation } from "../../src/store/conversations";
import { getOrCreateEndUser } from "../../src/store/end-users";
import { conversations, conversationVariables, messageFeedbacks, messages } from "../../src/store/schema";
import { ROUTE_NOT_FOUND_MESSAGE } from "../../src/http/error-response";
import { startTestServer, type TestApp, type TestServer } from "../harness";
import { chatTurn, errorOf, importHistoryApps, okJson, startConversations } from "./chat-turns";

interface SimpleConversation {
  id: string;
  name: string;
  inputs: Record<string, unknown>;
  status: string;
  introduction: string;
  created_at: number;
  updated_at: number;
}
interface Page {
  limit: number;
  has_more: boolean;
  data: SimpleConversation[];
}

const SIMPLE_CONVERSATION_KEYS = ["id", "name", "inputs", "status", "introduction", "created_at", "updated_at"];

let server: TestServer;
let chat: TestApp;
let otherChat: TestApp;
let completion: TestApp;
beforeAll(async () => {
  server = await startTestServer();
  ({ chat, otherChat, completion } = importHistoryApps(server));
});
afterAll(() => server.stop());

const list = (key: string, query: string) => server.request(`/v1/conversations?${query}`, { key });
const page = async (key: string, query: string) => okJson<Page>(await list(key, query));
const remove = (key: string, id: string, body: unknown = {}) => server.request(`/v1/conversations/${id}`, { method: "DELETE", key, json: body });
const rename = (key: string, id: string, body: unknown) => server.request(`/v1/conversations/${id}/name`, { method: "POST", key, json: body });
const conversationRow = (id: string) => server.services.db.select().from(conversations).where(eq(conversations.id, id)).get();

/** Every page of a listing, following `last_id` until `has_more` is false. */
async function walk(key: string, user: string, sortBy: string, limit: number): Promise<{ ids: string[]; pages: Page[] }> {
  const pages: Page[] = [];
  let lastId = "";
  for (;;) {
    const current = await page(key, `user=${user}&limit=${limit}&sort_by=${sortBy}&last_id=${lastId}`);
    pages.push(current);
    if (!current.has_more) break;
    lastId = current.data.at(-1)!.id;
  }
  return { ids: pages.flatMap((current) => current.data.map((item) => item.id)), pages };
}

describe("GET /conversations", () => {
  test("items are SimpleConversations in seconds, newest activity first by default", async () => {
    const before = Math.floor(Date.now() / 1000);
    const [first, second] = await startConversations(server, chat.apiKey, "shape", 2);
    const body = await page(chat.apiKey, "user=shape");
    expect(Object.keys(body)).toEqual(["limit", "has_more", "data"]);
    expect(body).toMatchObject({ limit: 20, has_more: false });
    expect(body.data.map((item) => item.id)).toEqual([second.conversation_id, first.conversation_id]);
    const item = body.data[1];
    expect(Object.keys(item)).toEqual(SIMPLE_CONVERSATION_KEYS);
    expect(item).toMatchObject({
      id: first.conversation_id,
      name: "conversation 1",
      inputs: { company: "Acme", tone: null, budget: null, notes: null },
      status: "normal",
      introduction: "Hi! Ask me about Acme.",
    });
    expect(Number.isInteger(item.created_at)).toBe(true);
    expect(item.created_at).toBeGreaterThanOrEqual(before);
    expect(item.created_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(item.updated_at).toBeGreaterThanOrEqual(item.created_at);
  });

  test("a missing user means DEFAULT-USER", async () => {
    const turn = await chatTurn(server, chat.apiKey, "DEFAULT-USER", "anonymous");
    const body = await page(chat.apiKey, "");
    expect(body.data.map((item) => item.id)).toEqual([turn.conversation_id]);
    expect((await page(chat.apiKey, "user=")).data.map((item) => item.id)).toEqual([turn.conversation_id]);
  });

  test("each sort_by orders by its field; a new turn moves updated_at only", async () => {
    const turns = await startConversations(server, chat.apiKey, "sorter", 4);
    await chatTurn(server, chat.apiKey, "sorter", "bump", turns[1].conversation_id);
    const byCreation = turns.map((turn) => turn.conversation_id);
    const byActivity = [byCreation[0], byCreation[2], byCreation[3], byCreation[1]];
    const ids = async (sortBy: string) => (await page(chat.apiKey, `user=sorter&sort_by=${sortBy}`)).data.map((item) => item.id);
    expect(await ids("created_at")).toEqual(byCreation);
    expect(await ids("-created_at")).toEqual(byCreation.toReversed());
    expect(await ids("updated_at")).toEqual(byActivity);
    expect(await ids("-updated_at")).toEqual(byActivity.toReversed());
  });

  test("walking every page with limit 2 in each order: no duplicates, no gaps, has_more per rule", async () => {
    const turns = await startConversations(server, chat.apiKey, "walker", 5);
    await chatTurn(server, chat.apiKey, "walker", "bump", turns[0].conversation_id);
    const created = turns.map((turn) => turn.conversation_id);
    const updated = [...created.slice(1), created[0]];
    const expected: Record<string, string[]> = {
      created_at: created,
      "-created_at": created.toReversed(),
      updated_at: updated,
      "-updated_at": updated.toReversed(),
    };
    for (const [sortBy, order] of Object.entries(expected)) {
      const { ids, pages } = await walk(chat.apiKey, "walker", sortBy, 2);
      expect(ids).toEqual(order);
      expect(pages.map((current) => [current.data.length, current.has_more])).toEqual([[2, true], [2, true], [1, false]]);
    }
  });

  test("has_more is false on a full last page: exactly limit rows and nothing beyond", async () => {
    const turns = await startConversations(server, chat.apiKey, "even", 4);
    const { ids, pages } = await walk(chat.apiKey, "even", "-created_at", 2);
    expect(ids).toEqual(turns.map((turn) => turn.conversation_id).toReversed());
    expect(pages.map((current) => [current.data.length, current.has_more])).toEqual([[2, true], [2, false]]);
    const all = await page(chat.apiKey, "user=even&limit=4");
    expect(all.has_more).toBe(false);
    const one = await page(chat.apiKey, "user=even&limit=1");
    expect([one.data.length, one.has_more, one.limit]).toEqual([1, true, 1]);
    expect((await page(chat.apiKey, "user=even&limit=100")).data).toHaveLength(4);
  });

  test("limit outside 1..100, a bad sort_by or a non-UUID last_id is 400 invalid_param", async () => {
    for (const query of ["limit=0", "limit=101", "limit=abc", "sort_by=name", "sort_by=-name", "sort_by=", "last_id=nope"]) {
      const body = await errorOf(await list(chat.apiKey, `user=shape&${query}`), 400);
      expect(body.code).toBe("invalid_param");
    }
  });

  test("last_id: empty means none; unknown, another user's or another app's is 404", async () => {
    const [mine] = await startConversations(server, chat.apiKey, "cursor", 1);
    const [theirs] = await startConversations(server, chat.apiKey, "cursor-other", 1);
    const [foreign] = await startConversations(server, otherChat.apiKey, "cursor", 1);
    expect((await page(chat.apiKey, "user=cursor&last_id=")).data.map((item) => item.id)).toEqual([mine.conversation_id]);
    for (const lastId of [crypto.randomUUID(), theirs.conversation_id, foreign.conversation_id]) {
      const body = await errorOf(await list(chat.apiKey, `user=cursor&last_id=${lastId}`), 404);
      expect(body).toEqual({ code: "not_found", message: "Last Conversation Not Exists.", status: 404 });
    }
    expect((await page(chat.apiKey, `user=cursor&last_id=${mine.conversation_id.toUpperCase()}`)).data).toEqual([]);
  });

  test("isolation: another user or another app's key never sees these conversations", async () => {
    const [mine] = await startConversations(server, chat.apiKey, "private", 1);
    expect((await page(chat.apiKey, "user=private")).data.map((item) => item.id)).toEqual([mine.conversation_id]);
    expect((await page(chat.apiKey, "user=private-2")).data).toEqual([]);
    expect((await page(otherChat.apiKey, "user=private")).data).toEqual([]);
  });

  test("a non-chat app is refused with not_chat_app", async () => {
    const body = await errorOf(await list(completion.apiKey, "user=u"), 400);
    expect(body).toEqual({ code: "not_chat_app", message: "Please check if your app mode matches the right API route.", status: 400 });
  });
});

describe("DELETE /conversations/{id}", () => {
  test("204 with an empty body; messages, feedback and variables go; a second delete is 404", async () => {
    const first = await chatTurn(server, chat.apiKey, "deleter", "one");
    const second = await chatTurn(server, chat.apiKey, "deleter", "two", first.conversation_id);
    const keep = await chatTurn(server, chat.apiKey, "deleter", "keep");
    for (const message of [second, keep]) {
      const rated = await server.request(`/v1/messages/${message.id}/feedbacks`, { method: "POST", key: chat.apiKey, json: { rating: "like", user: "deleter" } });
      expect(rated.status).toBe(200);
    }
    // Chat apps have no conversation variables (only advanced-chat does), so one is planted.
    const now = Date.now() * 1000;
    for (const conversationId of [first.conversation_id, keep.conversation_id]) {
      server.services.db
        .insert(conversationVariables)
        .values({ id: "var-1", conversationId, appId: chat.appId, name: "turns", valueType: "number", value: 1, createdAt: now, updatedAt: now })
        .run();
    }

    const response = await remove(chat.apiKey, first.conversation_id, { user: "deleter" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");

    const db = server.services.db;
    expect(conversationRow(first.conversation_id)).toBeUndefined();
    expect(db.select().from(messages).where(eq(messages.conversationId, first.conversation_id)).all()).toEqual([]);
    expect(db.select().from(messageFeedbacks).where(eq(messageFeedbacks.conversationId, first.conversation_id)).all()).toEqual([]);
    expect(db.select().from(conversationVariables).where(eq(conversationVariables.conversationId, first.conversation_id)).all()).toEqual([]);
    // The user's other conversation is untouched.
    expect(conversationRow(keep.conversation_id)).toBeDefined();
    expect(db.select().from(messageFeedbacks).where(eq(messageFeedbacks.conversationId, keep.conversation_id)).all()).toHaveLength(1);
    expect(db.select().from(conversationVariables).where(eq(conversationVariables.conversationId, keep.conversation_id)).all()).toHaveLength(1);

    const again = await errorOf(await remove(chat.apiKey, first.conversation_id, { user: "deleter" }), 404);
    expect(again).toEqual({ code: "not_found", message: "Conversation Not Exists.", status: 404 });
    const history = await errorOf(await server.request(`/v1/messages?user=deleter&conversation_id=${first.conversation_id}`, { key: chat.apiKey }), 404);
    expect(history.message).toBe("Conversation Not Exists.");
    expect((await page(chat.apiKey, "user=deleter")).data.map((item) => item.id)).toEqual([keep.conversation_id]);
  });

  test("another user's, another app's or an unknown conversation is 404 and stays", async () => {
    const turn = await chatTurn(server, chat.apiKey, "owner", "mine");
    for (const [key, user] of [[chat.apiKey, "intruder"], [otherChat.apiKey, "owner"]]) {
      const body = await errorOf(await remove(key, turn.conversation_id, { user }), 404);
      expect(body.message).toBe("Conversation Not Exists.");
    }
    expect((await errorOf(await remove(chat.apiKey, crypto.randomUUID(), { user: "owner" }), 404)).message).toBe("Conversation Not Exists.");
    expect(conversationRow(turn.conversation_id)).toBeDefined();
  });

  test("the user is optional (DEFAULT-USER) but the body must be JSON", async () => {
    const turn = await chatTurn(server, chat.apiKey, "DEFAULT-USER", "anonymous delete");
    const notJson = await server.request(`/v1/conversations/${turn.conversation_id}`, { method: "DELETE", key: chat.apiKey, body: "user=x", headers: { "Content-Type": "text/plain" } });
    expect((await errorOf(notJson, 415)).code).toBe("unsupported_media_type");
    const empty = await server.request(`/v1/conversations/${turn.conversation_id}`, { method: "DELETE", key: chat.apiKey, headers: { "Content-Type": "application/json" } });
    expect((await errorOf(empty, 400)).code).toBe("bad_request");
    expect(conversationRow(turn.conversation_id)).toBeDefined();
    expect((await remove(chat.apiKey, turn.conversation_id.toUpperCase())).status).toBe(204);
    expect(conversationRow(turn.conversation_id)).toBeUndefined();
  });

  test("a non-UUID id matches no route, even before the key is checked", async () => {
    for (const key of [chat.apiKey, undefined]) {
      const body = await errorOf(await server.request("/v1/conversations/not-a-uuid", { method: "DELETE", key, json: {} }), 404);
      expect(body).toEqual({ code: "not_found", message: ROUTE_NOT_FOUND_MESSAGE, status: 404 });
    }
  });

  test("a non-chat app is refused with not_chat_app", async () => {
    expect((await errorOf(await remove(completion.apiKey, crypto.randomUUID(), { user: "u" }), 400)).code).toBe("not_chat_app");
  });
});

describe("POST /conversations/{id}/name", () => {
  test("a manual name is stored as given, bumps updated_at and answers the SimpleConversation", async () => {
    const turn = await chatTurn(server, chat.apiKey, "renamer", "name me");
    const before = conversationRow(turn.conversation_id)!;
    const response = await rename(chat.apiKey, turn.conversation_id, { name: "  Trip plans  ", user: "renamer" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as SimpleConversation;
    expect(Object.keys(body)).toEqual(SIMPLE_CONVERSATION_KEYS);
    expect(body).toMatchObject({ id: turn.conversation_id, name: "  Trip plans  ", status: "normal", introduction: "Hi! Ask me about Acme." });
    const after = conversationRow(turn.conversation_id)!;
    expect(after.name).toBe("  Trip plans  ");
    expect(after.updatedAt).toBeGreaterThan(before.updatedAt);
    expect((await page(chat.apiKey, "user=renamer")).data[0].name).toBe("  Trip plans  ");
  });

  test("auto_generate names the conversation from its first message with the app's model", async () => {
    const query = "Tell me about the Kiln project and its plans";
    const turn = await chatTurn(server, chat.apiKey, "auto", query);
    await chatTurn(server, chat.apiKey, "auto", "a later question", turn.conversation_id);
    expect(conversationRow(turn.conversation_id)!.name).toBe("Tell me about the Ki…");
    const response = await rename(chat.apiKey, turn.conversation_id, { auto_generate: true, name: "ignored", user: "auto" });
    expect(response.status).toBe(200);
    // The echo model repeats the query it is asked to title.
    expect(((await response.json()) as SimpleConversation).name).toBe(query);
    expect(conversationRow(turn.conversation_id)!.name).toBe(query);
  });

  test("auto_generate on a conversation without messages is 400 invalid_param with an empty message", async () => {
    // Every conversation made over HTTP has a message, so this one is made in the store.
    const endUser = getOrCreateEndUser(server.services.db, chat.appId, "empty");
    const conversation = createConversation(server.services.db, {
      id: crypto.randomUUID(), appId: chat.appId, endUserId: endUser.id, mode: "chat", name: "empty", inputs: {}, introduction: "",
    });
    const body = await errorOf(await rename(chat.apiKey, conversation.id, { auto_generate: true, user: "empty" }), 400);
    expect(body).toEqual({ code: "invalid_param", message: "", status: 400 });
  });

  test("a missing or blank name without auto_generate is 400 invalid_param", async () => {
    const turn = await chatTurn(server, chat.apiKey, "renamer", "blank");
    for (const body of [{}, { name: null }, { name: "   " }, { name: "", auto_generate: false }]) {
      const error = await errorOf(await rename(chat.apiKey, turn.conversation_id, { ...body, user: "renamer" }), 400);
      expect(error).toEqual({ code: "invalid_param", message: "name is required when auto_generate is false", status: 400 });
    }
    for (const body of [{ name: 5 }, { name: "x", auto_generate: "maybe" }]) {
      expect((await errorOf(await rename(chat.apiKey, turn.conversation_id, { ...body, user: "renamer" }), 400)).code).toBe("invalid_param");
    }
    expect(conversationRow(turn.conversation_id)!.name).toBe("blank");
  });

  test("unknown, another user's or another app's conversation is 404; the user defaults to DEFAULT-USER", async () => {
    const turn = await chatTurn(server, chat.apiKey, "namer", "keep my name");
    for (const [key, body] of [
      [chat.apiKey, { name: "x", user: "thief" }],
      [chat.apiKey, { name: "x" }],
      [otherChat.apiKey, { name: "x", user: "namer" }],
    ] as const) {
      expect(await errorOf(await rename(key, turn.conversation_id, body), 404)).toEqual({ code: "not_found", message: "Conversation Not Exists.", status: 404 });
    }
    expect((await errorOf(await rename(chat.apiKey, crypto.randomUUID(), { name: "x", user: "namer" }), 404)).message).toBe("Conversation Not Exists.");
    expect(conversationRow(turn.conversation_id)!.name).toBe("keep my name");

    const anonymous = await chatTurn(server, chat.apiKey, "DEFAULT-USER", "anonymous rename");
    expect((await rename(chat.apiKey, anonymous.conversation_id, { name: "mine" })).status).toBe(200);
  });

  test("non-JSON bodies, non-UUID ids and non-chat apps are refused", async () => {
    const turn = await chatTurn(server, chat.apiKey, "renamer", "formats");
    const form = await server.request(`/v1/conversations/${turn.conversation_id}/name`, { method: "POST", key: chat.apiKey, body: "name=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect((await errorOf(form, 415)).code).toBe("unsupported_media_type");
    expect((await errorOf(await rename(chat.apiKey, "123", { name: "x" }), 404)).message).toBe(ROUTE_NOT_FOUND_MESSAGE);
    expect((await errorOf(await rename(completion.apiKey, turn.conversation_id, { name: "x", user: "renamer" }), 400)).code).toBe("not_chat_app");
  });
});
