// GET /v1/messages and GET /v1/messages/{id}/suggested over HTTP (service-api.md §4.13, §4.16,
// §8.4, §9).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyFileSignature } from "../../src/files/signed-url";
import { messageAgentThoughts, messageFiles, uploadFiles } from "../../src/store/schema";
import { ROUTE_NOT_FOUND_MESSAGE } from "../../src/http/error-response";
import { startTestServer, type TestApp, type TestServer } from "../harness";
import { chatTurn, errorOf, fixtureWith, importHistoryApps, okJson, type Turn } from "./chat-turns";

interface MessageItem {
  id: string;
  conversation_id: string;
  parent_message_id: string;
  inputs: Record<string, unknown>;
  query: string;
  answer: string;
  feedback: { rating: string } | null;
  retriever_resources: unknown[];
  created_at: number;
  agent_thoughts: Record<string, unknown>[];
  message_files: Record<string, unknown>[];
  status: string;
  error: string | null;
}
interface Page {
  limit: number;
  has_more: boolean;
  data: MessageItem[];
}

const ITEM_KEYS = [
  "id", "conversation_id", "parent_message_id", "inputs", "query", "answer", "feedback", "retriever_resources", "created_at",
  "agent_thoughts", "message_files", "status", "error",
];
const SCRIPTED_QUESTIONS = '{ provider: builtin, name: script, mode: chat, completion_params: { script: [{ text: "[\\"a?\\",\\"b?\\",\\"c?\\"]" }] } }';

let server: TestServer;
let chat: TestApp;
let otherChat: TestApp;
let completion: TestApp;
beforeAll(async () => {
  server = await startTestServer();
  ({ chat, otherChat, completion } = importHistoryApps(server));
});
afterAll(() => server.stop());

const history = (key: string, query: string) => server.request(`/v1/messages?${query}`, { key });
const page = async (key: string, query: string) => okJson<Page>(await history(key, query));
const suggested = (key: string, messageId: string, user?: string) =>
  server.request(`/v1/messages/${messageId}/suggested${user === undefined ? "" : `?user=${user}`}`, { key });

/** A conversation of `count` turns (`q1`…), oldest first. */
async function conversationOf(key: string, user: string, count: number): Promise<Turn[]> {
  const turns = [await chatTurn(server, key, user, "q1")];
  for (let index = 2; index <= count; index++) turns.push(await chatTurn(server, key, user, `q${index}`, turns[0].conversation_id));
  return turns;
}

describe("GET /messages", () => {
  test("items are §8.4 MessageListItems, oldest first, with the caller's own feedback", async () => {
    const [first, second] = await conversationOf(chat.apiKey, "reader", 2);
    const rated = await server.request(`/v1/messages/${second.id}/feedbacks`, { method: "POST", key: chat.apiKey, json: { rating: "dislike", user: "reader" } });
    expect(rated.status).toBe(200);
    const before = Math.floor(Date.now() / 1000);
    const body = await page(chat.apiKey, `user=reader&conversation_id=${first.conversation_id}`);
    expect(Object.keys(body)).toEqual(["limit", "has_more", "data"]);
    expect(body).toMatchObject({ limit: 20, has_more: false });
    expect(body.data.map((item) => item.id)).toEqual([first.id, second.id]);
    const [item, rateditem] = body.data;
    expect(Object.keys(item)).toEqual(ITEM_KEYS);
    expect(item).toMatchObject({
      id: first.id,
      conversation_id: first.conversation_id,
      parent_message_id: "00000000-0000-0000-0000-000000000000",
      inputs: { company: "Acme", tone: null, budget: null, notes: null },
      query: "q1",
      answer: "q1",
      feedback: null,
      retriever_resources: [],
      agent_thoughts: [],
      message_files: [],
      status: "normal",
      error: null,
    });
    expect(Number.isInteger(item.created_at)).toBe(true);
    expect(item.created_at).toBeLessThanOrEqual(before);
    expect(rateditem.feedback).toEqual({ rating: "dislike" });
  });

  test("a failed turn is listed with status error and its message", async () => {
    const failing = server.importApp(
      fixtureWith("chat.yml", '{ provider: builtin, name: "error:completion_request_error", mode: chat, completion_params: { error_message: "upstream broke" } }'),
    );
    const response = await server.request("/v1/chat-messages", {
      method: "POST", key: failing.apiKey, json: { inputs: { company: "Acme" }, query: "fail", user: "u", auto_generate_name: false },
    });
    expect(response.status).toBe(400);
    const conversations = (await (await server.request("/v1/conversations?user=u", { key: failing.apiKey })).json()) as { data: { id: string }[] };
    const body = await page(failing.apiKey, `user=u&conversation_id=${conversations.data[0].id}`);
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ query: "fail", answer: "", status: "error", error: "upstream broke" });
  });

  test("agent thoughts and message files appear in the §8.4 shapes", async () => {
    // Nothing over HTTP writes thoughts or files yet (agent apps and uploads are elsewhere), so they are planted.
    const turn = await chatTurn(server, chat.apiKey, "planted", "with extras");
    const db = server.services.db;
    const now = Date.now() * 1000;
    db.insert(messageAgentThoughts).values({
      id: crypto.randomUUID(), messageId: turn.id, position: 1, thought: "let me draw", tool: "dalle2", toolLabels: { dalle2: { en_US: "DALL-E" } },
      toolInput: '{"dalle2": {"prompt": "cat"}}', observation: "done", files: ["file-1"], createdAt: now,
    }).run();
    const uploadId = crypto.randomUUID();
    db.insert(uploadFiles).values({
      id: uploadId, appId: chat.appId, name: "cat.png", size: 1234, extension: "png", mimeType: "image/png", storageKey: "x/cat.png", hash: "h", createdAt: now,
    }).run();
    db.insert(messageFiles).values([
      { id: crypto.randomUUID(), messageId: turn.id, appId: chat.appId, type: "image", transferMethod: "local_file", belongsTo: "user", uploadFileId: uploadId, createdAt: now },
      { id: crypto.randomUUID(), messageId: turn.id, appId: chat.appId, type: "image", transferMethod: "remote_url", url: "https://example.test/dog.png", belongsTo: "assistant", createdAt: now + 1 },
    ]).run();

    const [item] = (await page(chat.apiKey, `user=planted&conversation_id=${turn.conversation_id}`)).data;
    expect(item.agent_thoughts).toHaveLength(1);
    expect(Object.keys(item.agent_thoughts[0])).toEqual([
      "id", "chain_id", "message_id", "position", "thought", "tool", "tool_labels", "tool_input", "created_at", "observation", "files",
    ]);
    expect(item.agent_thoughts[0]).toMatchObject({
      chain_id: null, message_id: turn.id, position: 1, thought: "let me draw", tool: "dalle2", tool_labels: { dalle2: { en_US: "DALL-E" } },
      tool_input: '{"dalle2": {"prompt": "cat"}}', created_at: Math.floor(now / 1_000_000), observation: "done", files: ["file-1"],
    });
    expect(item.message_files.map((file) => Object.keys(file))).toEqual([
      ["id", "filename", "type", "url", "mime_type", "size", "transfer_method", "belongs_to", "upload_file_id"],
      ["id", "filename", "type", "url", "mime_type", "size", "transfer_method", "belongs_to", "upload_file_id"],
    ]);
    expect(item.message_files[0]).toMatchObject({ filename: "cat.png", type: "image", mime_type: "image/png", size: 1234, transfer_method: "local_file", belongs_to: "user", upload_file_id: uploadId });
    const signed = new URL(String(item.message_files[0].url));
    expect(signed.pathname).toBe(`/files/${uploadId}/file-preview`);
    expect([...signed.searchParams.keys()]).toEqual(["timestamp", "nonce", "sign"]);
    expect(verifyFileSignature(server.services, uploadId, Object.fromEntries(signed.searchParams) as { timestamp: string; nonce: string; sign: string })).toBe(true);
    expect(item.message_files[1]).toMatchObject({ type: "image", url: "https://example.test/dog.png", transfer_method: "remote_url", belongs_to: "assistant", upload_file_id: null });
  });

  test("walking 5 messages with limit 2 goes back in time: no duplicates, no gaps, has_more per limit+1", async () => {
    const turns = await conversationOf(chat.apiKey, "walker", 5);
    const pages: Page[] = [];
    let firstId = "";
    for (;;) {
      const current = await page(chat.apiKey, `user=walker&conversation_id=${turns[0].conversation_id}&limit=2&first_id=${firstId}`);
      pages.push(current);
      if (!current.has_more) break;
      firstId = current.data[0].id;
    }
    expect(pages.map((current) => current.data.map((item) => item.query))).toEqual([["q4", "q5"], ["q2", "q3"], ["q1"]]);
    expect(pages.map((current) => current.has_more)).toEqual([true, true, false]);
    expect(pages.flatMap((current) => current.data.map((item) => item.id)).toSorted()).toEqual(turns.map((turn) => turn.id).toSorted());
  });

  test("an exactly full last page has has_more false; limit 1 and 100 are the bounds", async () => {
    const turns = await conversationOf(chat.apiKey, "bounds", 4);
    const conversationId = turns[0].conversation_id;
    const last = await page(chat.apiKey, `user=bounds&conversation_id=${conversationId}&limit=2&first_id=${turns[2].id}`);
    expect([last.data.map((item) => item.query), last.has_more]).toEqual([["q1", "q2"], false]);
    const one = await page(chat.apiKey, `user=bounds&conversation_id=${conversationId}&limit=1`);
    expect([one.limit, one.data.map((item) => item.query), one.has_more]).toEqual([1, ["q4"], true]);
    const all = await page(chat.apiKey, `user=bounds&conversation_id=${conversationId}&limit=100`);
    expect([all.limit, all.data.length, all.has_more]).toEqual([100, 4, false]);
    const exact = await page(chat.apiKey, `user=bounds&conversation_id=${conversationId}&limit=4`);
    expect(exact.has_more).toBe(false);
    for (const limit of ["0", "101", "x"]) {
      expect((await errorOf(await history(chat.apiKey, `user=bounds&conversation_id=${conversationId}&limit=${limit}`), 400)).code).toBe("invalid_param");
    }
  });

  test("conversation_id: missing or not a UUID is 400; empty is an empty page; unknown or not owned is 404", async () => {
    const [mine] = await conversationOf(chat.apiKey, "owner", 1);
    const [theirs] = await conversationOf(chat.apiKey, "stranger", 1);
    const [foreign] = await conversationOf(otherChat.apiKey, "owner", 1);
    for (const query of ["user=owner", "user=owner&conversation_id=nope"]) {
      expect((await errorOf(await history(chat.apiKey, query), 400)).code).toBe("invalid_param");
    }
    expect(await page(chat.apiKey, "user=owner&conversation_id=&limit=7")).toEqual({ limit: 7, has_more: false, data: [] });
    for (const conversationId of [crypto.randomUUID(), theirs.conversation_id, foreign.conversation_id]) {
      const body = await errorOf(await history(chat.apiKey, `user=owner&conversation_id=${conversationId}`), 404);
      expect(body).toEqual({ code: "not_found", message: "Conversation Not Exists.", status: 404 });
    }
    expect((await page(chat.apiKey, `user=owner&conversation_id=${mine.conversation_id.toUpperCase()}`)).data).toHaveLength(1);
  });

  test("first_id: unknown, of another conversation or of another user is 404; empty means none", async () => {
    const [mine] = await conversationOf(chat.apiKey, "cursor", 1);
    const [otherOfMine] = await conversationOf(chat.apiKey, "cursor", 1);
    const [theirs] = await conversationOf(chat.apiKey, "cursor-2", 1);
    for (const firstId of [crypto.randomUUID(), otherOfMine.id, theirs.id]) {
      const body = await errorOf(await history(chat.apiKey, `user=cursor&conversation_id=${mine.conversation_id}&first_id=${firstId}`), 404);
      expect(body).toEqual({ code: "not_found", message: "First Message Not Exists.", status: 404 });
    }
    expect((await errorOf(await history(chat.apiKey, `user=cursor&conversation_id=${mine.conversation_id}&first_id=zzz`), 400)).code).toBe("invalid_param");
    expect((await page(chat.apiKey, `user=cursor&conversation_id=${mine.conversation_id}&first_id=`)).data).toHaveLength(1);
    expect((await page(chat.apiKey, `user=cursor&conversation_id=${mine.conversation_id}&first_id=${mine.id}`)).data).toEqual([]);
  });

  test("a missing user means DEFAULT-USER; a non-chat app is not_chat_app", async () => {
    const turn = await chatTurn(server, chat.apiKey, "DEFAULT-USER", "anonymous");
    expect((await page(chat.apiKey, `conversation_id=${turn.conversation_id}`)).data.map((item) => item.id)).toEqual([turn.id]);
    expect((await errorOf(await history(chat.apiKey, `user=someone&conversation_id=${turn.conversation_id}`), 404)).message).toBe("Conversation Not Exists.");
    expect((await errorOf(await history(completion.apiKey, "conversation_id="), 400)).code).toBe("not_chat_app");
  });
});

describe("GET /messages/{id}/suggested", () => {
  test("the app's model proposes questions from the history", async () => {
    const scripted = server.importApp(fixtureWith("chat.yml", SCRIPTED_QUESTIONS));
    const turn = await chatTurn(server, scripted.apiKey, "asker", "what next?");
    const response = await suggested(scripted.apiKey, turn.id, "asker");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "success", data: ["a?", "b?", "c?"] });
  });

  test("the model sees the last turns and the instruction (the echo model shows its prompt)", async () => {
    const turns = await conversationOf(chat.apiKey, "echoer", 4);
    // The echo model repeats the prompt, whose first JSON array of strings is the instruction's example.
    const body = (await (await suggested(chat.apiKey, turns[0].id, "echoer")).json()) as { data: string[] };
    expect(body.data).toEqual(["question 1", "question 2", "question 3"]);
    const withArray = await chatTurn(server, chat.apiKey, "echoer", '["from", "history"]');
    expect(((await (await suggested(chat.apiKey, withArray.id, "echoer")).json()) as { data: string[] }).data).toEqual(["from", "history"]);
  });

  test("an answer without a JSON array, or a failing model, gives an empty list", async () => {
    const rambling = server.importApp(fixtureWith("chat.yml", '{ provider: builtin, name: script, mode: chat, completion_params: { script: [{ text: "no idea [sorry" }] } }'));
    const turn = await chatTurn(server, rambling.apiKey, "u", "hi");
    expect(await (await suggested(rambling.apiKey, turn.id, "u")).json()).toEqual({ result: "success", data: [] });

    const failing = server.importApp(fixtureWith("chat.yml", '{ provider: builtin, name: "error:provider_quota_exceeded", mode: chat, completion_params: {} }'));
    await server.request("/v1/chat-messages", { method: "POST", key: failing.apiKey, json: { inputs: { company: "Acme" }, query: "hi", user: "u", auto_generate_name: false } });
    const conversations = (await (await server.request("/v1/conversations?user=u", { key: failing.apiKey })).json()) as { data: { id: string }[] };
    const messages = await page(failing.apiKey, `user=u&conversation_id=${conversations.data[0].id}`);
    expect(await (await suggested(failing.apiKey, messages.data[0].id, "u")).json()).toEqual({ result: "success", data: [] });
  });

  test("the feature switched off is 400 bad_request", async () => {
    const disabled = server.importApp(
      fixtureWith("chat.yml", SCRIPTED_QUESTIONS, [["suggested_questions_after_answer: { enabled: true }", "suggested_questions_after_answer: { enabled: false }"]]),
    );
    const turn = await chatTurn(server, disabled.apiKey, "u", "hi");
    expect(await errorOf(await suggested(disabled.apiKey, turn.id, "u"), 400)).toEqual({
      code: "bad_request", message: "Suggested Questions Is Disabled.", status: 400,
    });
  });

  test("user is required; the message must be this user's and this app's; non-UUID ids match no route", async () => {
    const turn = await chatTurn(server, chat.apiKey, "mine", "hello");
    for (const user of [undefined, ""]) {
      expect(await errorOf(await suggested(chat.apiKey, turn.id, user), 400)).toEqual({ code: "invalid_param", message: "Arg user must be provided.", status: 400 });
    }
    for (const [key, user, id] of [[chat.apiKey, "other", turn.id], [otherChat.apiKey, "mine", turn.id], [chat.apiKey, "mine", crypto.randomUUID()]]) {
      expect(await errorOf(await suggested(key, id, user), 404)).toEqual({ code: "not_found", message: "Message Not Exists.", status: 404 });
    }
    expect((await errorOf(await suggested(chat.apiKey, "nope", "mine"), 404)).message).toBe(ROUTE_NOT_FOUND_MESSAGE);
    expect((await errorOf(await suggested(completion.apiKey, turn.id, "mine"), 400)).code).toBe("not_chat_app");
  });
});
