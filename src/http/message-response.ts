/**
 * Turns a prepared easy-UI turn into the HTTP answer: one JSON body in blocking mode (§6.1,
 * §6.2), or an SSE stream (§7) whose run continues to the end if the client disconnects.
 */
import type { Server } from "bun";
import { runChatflowTurn, type PreparedChatflowTurn } from "../apps/chatflow-turn";
import type { PreparedTurn } from "../apps/message-turn";
import { runMessageTurn } from "../apps/message-turn";
import type { Services } from "../services";
import { toSeconds } from "../store/clock";
import { usageForBlocking } from "./blocking-usage";
import { jsonResponse } from "./json-response";
import { openSse } from "./sse";

export async function blockingMessageResponse(services: Services, turn: PreparedTurn): Promise<Response> {
  const result = await runMessageTurn(services, turn, () => {});
  if (result.error) throw result.error;
  const usage = usageForBlocking(result.message.metadata.usage as never);
  const body: Record<string, unknown> = { event: "message", task_id: turn.task.id, id: turn.message.id, message_id: turn.message.id };
  if (turn.mode === "chat") body.conversation_id = turn.conversation.id;
  // §6.2: `mode` is the conversation's mode (the docs' fixed "chat" is wrong).
  Object.assign(body, {
    mode: turn.conversation.mode,
    answer: result.message.answer,
    metadata: { annotation_reply: null, retriever_resources: [], usage },
    created_at: toSeconds(turn.message.createdAt),
  });
  return jsonResponse(body, 200, { "Content-Type": "application/json; charset=utf-8" });
}

export function streamingMessageResponse(services: Services, turn: PreparedTurn, server: Server<undefined> | null, request: Request): Response {
  const { response, channel } = openSse(server, request, {
    pingIntervalMs: services.settings.pingIntervalMs,
    leadingPing: false,
    // §11.1: a disconnect frees the concurrency slot, though the answer is still generated and saved.
    onDisconnect: turn.release,
  });
  void runMessageTurn(services, turn, (event) => channel.emit(event)).finally(() => channel.close());
  return response;
}

/** Advanced-chat answers (§6.3, §7.4–§7.5): the chat shape, with workflow events in the stream. */
export async function chatflowResponse(services: Services, turn: PreparedChatflowTurn, streaming: boolean, server: Server<undefined> | null, request: Request): Promise<Response> {
  const { execution, message, conversation } = turn;
  if (!streaming) {
    const result = await runChatflowTurn(turn, () => {});
    if (result.error) throw result.error;
    return jsonResponse({
      event: "message", task_id: execution.task.id, id: message.id, message_id: message.id, conversation_id: conversation.id,
      mode: conversation.mode, answer: result.message.answer,
      metadata: { annotation_reply: null, retriever_resources: [], usage: usageForBlocking(result.message.metadata.usage as never) },
      created_at: toSeconds(message.createdAt),
    }, 200, { "Content-Type": "application/json; charset=utf-8" });
  }
  const { response, channel } = openSse(server, request, { pingIntervalMs: services.settings.pingIntervalMs, leadingPing: true, onDisconnect: turn.release });
  void runChatflowTurn(turn, (event) => channel.emit(event)).finally(() => channel.close());
  return response;
}
