/**
 * Conversations and messages made the way clients make them, over `POST /v1/chat-messages`, for
 * the history and management route tests; and fixture variants with another model line.
 */
import { expect } from "bun:test";
import { fixture, type TestApp, type TestServer } from "../harness";

/** The built-in echo model as a DSL `model:` value. */
export const ECHO_MODEL = "{ provider: builtin, name: echo, mode: chat, completion_params: {} }";

export interface Turn {
  id: string;
  conversation_id: string;
  answer: string;
}

/** One blocking chat turn on a `chat.yml`-shaped app; background naming is off so names stay put. */
export async function chatTurn(server: TestServer, key: string, user: string, query: string, conversationId?: string): Promise<Turn> {
  const response = await server.request("/v1/chat-messages", {
    method: "POST",
    key,
    json: { inputs: { company: "Acme" }, query, user, response_mode: "blocking", conversation_id: conversationId, auto_generate_name: false },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Turn;
}

/** Starts `count` conversations of one turn each, oldest first. */
export async function startConversations(server: TestServer, key: string, user: string, count: number): Promise<Turn[]> {
  const turns: Turn[] = [];
  for (let index = 0; index < count; index++) turns.push(await chatTurn(server, key, user, `conversation ${index + 1}`));
  return turns;
}

/** A fixture DSL (`chat.yml`, `completion.yml`) with its `model:` line replaced and extra text substitutions. */
export function fixtureWith(name: string, model: string, replacements: [string, string][] = []): string {
  let text = fixture(`dsl/${name}`).replace(/^  model: .*$/m, `  model: ${model}`);
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${name} has no "${from}"`);
    text = text.replace(from, to);
  }
  return text;
}

/** Two chat apps (for isolation between apps) and a completion app on the echo model (for mode checks). */
export function importHistoryApps(server: TestServer): { chat: TestApp; otherChat: TestApp; completion: TestApp } {
  return {
    chat: server.importApp("chat.yml"),
    otherChat: server.importApp("chat.yml"),
    completion: server.importApp(fixtureWith("completion.yml", ECHO_MODEL)),
  };
}

/** The parsed body of a 200 answer. */
export async function okJson<T>(response: Response): Promise<T> {
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** The `{code, message, status}` body of an error answer, after checking its status. */
export async function errorOf(response: Response, status: number): Promise<{ code: string; message: string; status: number }> {
  expect(response.status).toBe(status);
  return (await response.json()) as { code: string; message: string; status: number };
}
