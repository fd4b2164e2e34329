/**
 * One turn of an easy-UI app (chat or completion): everything that can fail with an ordinary
 * HTTP error happens in `prepareMessageTurn` (inputs, conversation ownership, model resolution,
 * the concurrency slot), before any byte of a stream is sent (§3.3). `runMessageTurn` then calls
 * the model, emits the contract's events, and always saves the message: with its answer, or its
 * partial answer when stopped, or its error.
 *
 * Files (§5.2): top-level `files` count only while the app's `file_upload` feature is on; they
 * become the message's `message_files` rows, and the images among them reach the model inlined
 * as vision parts on the user turn (documents are not read, as in Dify's easy-UI apps).
 */
import { KilnError, notFound } from "../errors";
import { invokeChat, type ChatOutcome } from "../models/invoke-chat";
import type { ResolvedModel } from "../models/registry";
import { countTokens } from "../models/tokenizer";
import { imageContentPart } from "../files/load-file";
import type { KilnFile } from "../files/file-references";
import { fileUploadConfigOf } from "../files/file-upload-config";
import type { ChatMessage, ContentPart, ModelParameters } from "../models/types";
import { emptyUsage } from "../models/usage";
import type { Services } from "../services";
import { nowMicros } from "../store/clock";
import { findOwnedConversation, type Conversation } from "../store/conversations";
import { recentTurns, type Message } from "../store/messages";
import { writeMessageResult, writeTurnStart, type MessageResult } from "../store/turn-writes";
import { insertMessageFiles, type MessageFile } from "../store/upload-files";
import type { App, EndUser } from "../store/schema";
import type { Task } from "../tasks/task-registry";
import { formVariables, prepareAppInputs } from "./app-inputs";
import type { ReleaseSlot } from "./concurrency-limit";
import { scheduleConversationNaming } from "./conversation-naming";
import { chatPromptMessages, completionPromptMessages } from "./prompt-messages";
import { renderInputs } from "./prompt-template";
import { resolveFileInputs, resolveRequestFiles, withoutUrls } from "./request-files";
import { type MessageEvent, messageEvents } from "./message-events";

export type EasyMode = "chat" | "completion";

export interface MessageTurnRequest {
  mode: EasyMode;
  query: string;
  inputs: Record<string, unknown>;
  /** The request's `files` list, unchecked (§5.2). */
  files?: unknown;
  conversationId?: string | null;
  autoGenerateName: boolean;
  traceId: string | null;
}

export interface PreparedTurn {
  app: App;
  endUser: EndUser;
  mode: EasyMode;
  task: Task;
  conversation: Conversation;
  message: Message;
  /** The attached files, each with its `message_files` row id. */
  files: KilnFile[];
  isFirstTurn: boolean;
  autoGenerateName: boolean;
  model: ResolvedModel;
  parameters: ModelParameters;
  prompt: ChatMessage[];
  release: ReleaseSlot;
}

export interface TurnResult {
  message: Message;
  outcome: ChatOutcome | null;
  error: KilnError | null;
}

/** Dify's history budget when the model's context size is unknown (tokens). */
const HISTORY_TOKEN_BUDGET = 2000;
const HISTORY_MAX_TURNS = 50;
const NAME_PREVIEW_LENGTH = 20;

type Json = Record<string, unknown>;

/** The conversation's first name until a generated one replaces it (§4.17). */
export function previewName(query: string): string {
  return query.length > NAME_PREVIEW_LENGTH ? `${query.slice(0, NAME_PREVIEW_LENGTH)}…` : query;
}

async function historyWithinBudget(turns: Message[]): Promise<Message[]> {
  const kept: Message[] = [];
  let budget = HISTORY_TOKEN_BUDGET;
  for (const turn of turns) {
    budget -= await countTokens(`${turn.query}\n${turn.answer}`);
    if (budget < 0) break;
    kept.push(turn);
  }
  return kept.reverse();
}

export async function prepareMessageTurn(services: Services, app: App, endUser: EndUser, request: MessageTurnRequest): Promise<PreparedTurn> {
  const config = app.modelConfig;
  if (!config) throw new KilnError("app_unavailable", 400, "App unavailable, please check your app configurations.");
  const inputs = prepareAppInputs(app, await resolveFileInputs(services, app, formVariables(app), request.inputs, false));
  const storedInputs = withoutUrls(inputs);
  const owner = { appId: app.id, endUserId: endUser.id };

  let conversation: Conversation | undefined;
  if (request.mode === "chat" && request.conversationId) {
    conversation = findOwnedConversation(services.db, owner, request.conversationId);
    if (!conversation) throw notFound("Conversation Not Exists.");
  }
  const modelConfig = config.model as Json;
  const model = services.models.resolve({ provider: String(modelConfig.provider ?? ""), name: String(modelConfig.name ?? "") });
  const parameters = (modelConfig.completion_params as ModelParameters | undefined) ?? {};
  const requestFiles = await resolveRequestFiles(services, app, request.files, config.file_upload, false);
  // Loaded before any row is written, so an unreachable image is an ordinary error with nothing saved.
  const images = await visionParts(services, requestFiles, config.file_upload);
  const release = services.concurrency.acquire(app);

  try {
    const isFirstTurn = !conversation;
    const now = nowMicros();
    const newConversation = conversation
      ? undefined
      : {
          id: crypto.randomUUID(),
          appId: app.id,
          endUserId: endUser.id,
          mode: app.mode,
          name: request.mode === "chat" ? previewName(request.query) : "",
          inputs: storedInputs,
          introduction: renderInputs(String(config.opening_statement ?? ""), inputs),
          dialogueCount: 1,
          createdAt: now,
          updatedAt: now,
        };
    const message: Message = {
      id: crypto.randomUUID(),
      appId: app.id,
      conversationId: conversation?.id ?? newConversation!.id,
      endUserId: endUser.id,
      query: request.query,
      inputs: storedInputs,
      answer: "",
      status: "normal",
      error: null,
      modelProvider: String(modelConfig.provider ?? ""),
      modelId: String(modelConfig.name ?? ""),
      messageTokens: 0,
      answerTokens: 0,
      totalPrice: "0",
      currency: "USD",
      latency: 0,
      metadata: {},
      workflowRunId: null,
      traceId: request.traceId,
      createdAt: nowMicros(),
      updatedAt: now,
    };
    writeTurnStart(services.db, { newConversation, conversationId: message.conversationId, message });
    const files = attachFiles(services, message, requestFiles);
    conversation ??= { ...newConversation!, status: "normal", fromSource: "api", invokeFrom: "service-api" };
    const history = request.mode === "chat" && !isFirstTurn
      ? await historyWithinBudget(recentTurns(services.db, conversation.id, message.id, HISTORY_MAX_TURNS))
      : [];
    const parts = { inputs, query: request.query, history, images };
    const prompt = request.mode === "chat" ? chatPromptMessages(app, parts) : completionPromptMessages(app, parts);
    const task = services.tasks.start(app.id, endUser.id, "message");
    return {
      app, endUser, mode: request.mode, task, conversation, message, files, isFirstTurn,
      autoGenerateName: request.mode === "chat" && request.autoGenerateName, model, parameters, prompt, release,
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** The attached images as inlined vision parts, with the feature's detail level. */
async function visionParts(services: Services, files: KilnFile[], feature: unknown): Promise<ContentPart[]> {
  const images = files.filter((file) => file.type === "image");
  if (images.length === 0) return [];
  const detail = fileUploadConfigOf(feature)?.image.detail;
  return Promise.all(images.map((file) => imageContentPart(services, file, detail)));
}

/** Writes the user's `message_files` rows (§8.4) and answers the files carrying their row ids. */
function attachFiles(services: Services, message: Message, files: KilnFile[]): KilnFile[] {
  const rows: MessageFile[] = files.map((file) => ({
    id: crypto.randomUUID(),
    messageId: message.id,
    appId: message.appId,
    type: file.type,
    transferMethod: file.transfer_method,
    url: file.transfer_method === "remote_url" ? file.remote_url : null,
    belongsTo: "user",
    uploadFileId: file.related_id,
    createdAt: message.createdAt,
  }));
  insertMessageFiles(services.db, rows);
  return files.map((file, index) => ({ ...file, id: rows[index]!.id }));
}

/**
 * Generates the answer, emitting `message` deltas and a final `message_end` (or `error`), and
 * saves the message whatever happens. Never throws: a failure is in the result.
 */
export async function runMessageTurn(services: Services, turn: PreparedTurn, emit: (event: MessageEvent) => void): Promise<TurnResult> {
  const events = messageEvents(turn);
  let outcome: ChatOutcome | null = null;
  let failure: KilnError | null = null;
  try {
    outcome = await invokeChat(
      turn.model,
      { messages: turn.prompt, parameters: turn.parameters, signal: turn.task.controller.signal },
      (event) => {
        if (event.type === "text" && event.text) emit(events.message(event.text));
      },
    );
  } catch (error) {
    failure = error instanceof KilnError ? error : internalError(error);
  }

  const stopped = turn.task.controller.signal.aborted;
  // §8.1: time to first token / to generate are reported for advanced-chat streaming only.
  const usage = outcome ? { ...outcome.usage, time_to_first_token: null, time_to_generate: null } : emptyUsage();
  const metadata = { retriever_resources: [], usage };
  const saved: MessageResult = {
    status: failure ? "error" : stopped ? "stopped" : "normal",
    error: failure?.message ?? null,
    answer: outcome?.text ?? "",
    messageTokens: usage.prompt_tokens,
    answerTokens: usage.completion_tokens,
    totalPrice: usage.total_price,
    currency: usage.currency,
    latency: usage.latency,
    metadata,
    updatedAt: nowMicros(),
  };
  writeMessageResult(services.db, turn.message.id, saved);
  services.tasks.finish(turn.task);
  turn.release();

  if (failure) emit(events.error(failure));
  else emit(events.end(usage));
  if (!failure && turn.isFirstTurn && turn.autoGenerateName) {
    scheduleConversationNaming(services, turn.app, turn.conversation.id, turn.message.query);
  }
  return { message: { ...turn.message, ...saved }, outcome, error: failure };
}

function internalError(error: unknown): KilnError {
  console.error("[kiln] generation failed:", error);
  return new KilnError("internal_server_error", 500, "Internal Server Error, please contact support.");
}
