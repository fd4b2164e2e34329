/**
 * What the file tests that reach a model share: a local OpenAI-wire server answering every chat
 * completion with one fixed reply (recording what it was sent), and a tiny real PNG to send it.
 */
import { jsonResponse, startFakeServer, type FakeServer } from "../models/fake-server";

/** A 1×1 PNG. */
export const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (char) => char.charCodeAt(0));

/** `data:<mime>;base64,<bytes>`, as an inlined image reaches the model. */
export const dataUrl = (mimeType: string, bytes: Uint8Array) => `data:${mimeType};base64,${Buffer.from(bytes).toString("base64")}`;

/** Starts the provider; point a test server at it with `OPENAI_BASE_URL: <url>/v1`. */
export function startAnsweringProvider(reply: string): FakeServer {
  return startFakeServer(() =>
    jsonResponse(200, {
      id: "c1", object: "chat.completion", model: "gpt-4o",
      choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
      usage: { prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 },
    }),
  );
}

/** The messages of the provider's latest request. */
export function lastModelMessages(provider: FakeServer): Array<{ role: string; content: unknown }> {
  return (provider.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> }).messages;
}
