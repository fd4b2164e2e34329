/**
 * One turn of an advanced-chat app (a chatflow; service-api §4.4, §6.3, §7.2–§7.7): the published
 * workflow runs with the chat system variables, its answer text streams as `message` events in
 * the same stream as the workflow and node events, and the turn ends with `workflow_finished`
 * then `message_end` — or, for a failed run, `workflow_finished` then an `error` event
 * (`invalid_param`, "Run failed: …"). Conversation variables are loaded before the run and saved
 * the moment an assigner changes them; the message is always saved, stopped ones with their
 * partial answer.
 */
import { invalidParam, KilnError, notFound } from "../errors";
import type { ChatMessage, LlmUsage } from "../models/types";
import { emptyUsage } from "../models/usage";
import type { Services } from "../services";
import { nowMicros, toSeconds } from "../store/clock";
import { loadConversationVariables, setConversationVariable, type ConversationVariable, type DeclaredVariable } from "../store/conversation-variables";
import { findOwnedConversation, type Conversation } from "../store/conversations";
import { recentTurns, type Message } from "../store/messages";
import type { App, EndUser } from "../store/schema";
import { writeMessageResult, writeTurnStart } from "../store/turn-writes";
import { insertWorkflowRun } from "../store/workflow-runs";
import type { ReleaseSlot } from "./concurrency-limit";
import { scheduleConversationNaming } from "./conversation-naming";
import { previewName } from "./message-turn";
import { renderInputs } from "./prompt-template";
import { resolveRequestFiles, withoutUrls } from "./request-files";
import { prepareGraphInputs } from "./workflow-app";
import { executeWorkflow, runInputs, type EventPayload, type WorkflowExecution } from "./workflow-execution";
import { resolveWorkflowVersion } from "./workflow-version";

export interface ChatflowRequest {
  query: string;
  inputs: Record<string, unknown>;
  conversationId: string | null;
  workflowId: string | null;
  files: unknown;
  autoGenerateName: boolean;
  traceId: string | null;
}

export interface PreparedChatflowTurn {
  execution: WorkflowExecution;
  conversation: Conversation;
  message: Message;
  isFirstTurn: boolean;
  autoGenerateName: boolean;
  variables: ConversationVariable[];
  release: ReleaseSlot;
}

export interface ChatflowResult {
  message: Message;
  /** Set when the run failed: blocking answers it as the HTTP error (§6.3). */
  error: KilnError | null;
}

/** Earlier turns as model messages, oldest first (LLM-node memory, workflow-engine §2.4). */
function conversationHistory(services: Services, conversationId: string, currentMessageId: string) {
  return async (limit: number | undefined): Promise<ChatMessage[]> =>
    recentTurns(services.db, conversationId, currentMessageId, limit ?? 50)
      .toReversed()
      .flatMap((turn): ChatMessage[] => [
        { role: "user", content: turn.query },
        { role: "assistant", content: turn.answer },
      ]);
}

export async function prepareChatflowTurn(services: Services, app: App, endUser: EndUser, request: ChatflowRequest): Promise<PreparedChatflowTurn> {
  const workflow = resolveWorkflowVersion(services.db, app, request.workflowId);
  let conversation: Conversation | undefined;
  if (request.conversationId) {
    conversation = findOwnedConversation(services.db, { appId: app.id, endUserId: endUser.id }, request.conversationId);
    if (!conversation) throw notFound("Conversation Not Exists.");
  }
  const { graph, inputs } = await prepareGraphInputs(services, app, workflow, request.inputs, false);
  const files = await resolveRequestFiles(services, app, request.files, workflow.features.file_upload, false);
  const release = services.concurrency.acquire(app);
  try {
    const now = nowMicros();
    const isFirstTurn = !conversation;
    const storedInputs = withoutUrls(inputs);
    const newConversation = conversation
      ? undefined
      : {
          id: crypto.randomUUID(), appId: app.id, endUserId: endUser.id, mode: app.mode, name: previewName(request.query),
          inputs: storedInputs, introduction: renderInputs(String(workflow.features.opening_statement ?? ""), inputs),
          dialogueCount: 1, createdAt: now, updatedAt: now,
        };
    const conversationId = conversation?.id ?? newConversation!.id;
    const runId = crypto.randomUUID();
    const message: Message = {
      id: crypto.randomUUID(), appId: app.id, conversationId, endUserId: endUser.id, query: request.query, inputs: storedInputs,
      answer: "", status: "normal", error: null, modelProvider: null, modelId: null, messageTokens: 0, answerTokens: 0,
      totalPrice: "0", currency: "USD", latency: 0, metadata: {}, workflowRunId: runId, traceId: request.traceId,
      createdAt: nowMicros(), updatedAt: now,
    };
    writeTurnStart(services.db, { newConversation, conversationId, message });
    conversation ??= { ...newConversation!, status: "normal", fromSource: "api", invokeFrom: "service-api" };

    const dialogueCount = isFirstTurn ? 1 : conversation.dialogueCount + 1;
    const system = {
      query: request.query, files, conversation_id: conversationId, dialogue_count: dialogueCount, user_id: endUser.sessionId,
      app_id: app.id, workflow_id: workflow.id, workflow_run_id: runId,
    };
    insertWorkflowRun(
      services.db,
      {
        id: runId, appId: app.id, workflowId: workflow.id, type: "chat", triggeredFrom: "app-run", version: workflow.version,
        inputs: withoutUrls(runInputs(inputs, system)), status: "running", outputs: null, error: null, elapsedTime: 0, totalTokens: 0,
        totalSteps: 0, exceptionsCount: 0, createdByRole: "end_user", createdBy: endUser.id, traceId: request.traceId,
        createdAt: message.createdAt, finishedAt: null,
      },
      null,
    );
    const variables = loadConversationVariables(services.db, app.id, conversationId, workflow.conversationVariables as unknown as DeclaredVariable[]);
    const task = services.tasks.start(app.id, endUser.id, "message");
    return {
      execution: {
        services, app, endUser, workflow, graph, runId, task, createdAt: message.createdAt, inputs, system,
        conversationVariables: variables.map((variable) => ({ name: variable.name, value: variable.value, value_type: variable.valueType })),
        history: conversationHistory(services, conversationId, message.id),
      },
      conversation, message, isFirstTurn, autoGenerateName: request.autoGenerateName, variables, release,
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Runs the turn to its end, emitting every event; never throws. */
export async function runChatflowTurn(turn: PreparedChatflowTurn, emit: (event: EventPayload) => void): Promise<ChatflowResult> {
  const { execution, message, conversation } = turn;
  const { services, task } = execution;
  const envelope = (event: string) => ({ event, conversation_id: conversation.id, message_id: message.id, created_at: toSeconds(message.createdAt) });
  const variableIds = new Map(turn.variables.map((variable) => [variable.name, variable.id]));
  let answer = "";
  let usage: LlmUsage | undefined;
  let failure: KilnError | null = null;
  let runStatus = "failed";
  try {
    const outcome = await executeWorkflow(execution, {
      envelope,
      emit,
      onChunk: (text, selector) => {
        answer += text;
        emit({ ...envelope("message"), task_id: task.id, id: message.id, answer: text, from_variable_selector: selector });
      },
      onVariableUpdated: (selector, value) => {
        const id = selector[0] === "conversation" ? variableIds.get(String(selector[1])) : undefined;
        if (id) setConversationVariable(services.db, conversation.id, id, value);
      },
    });
    usage = outcome.usage;
    runStatus = outcome.result.status;
    if (runStatus === "failed") failure = invalidParam(`Run failed: ${outcome.result.error ?? "unknown error"}`);
    // The streamed text is the answer; a run whose answers streamed nothing still has its outputs.
    if (!answer && typeof outcome.result.outputs.answer === "string") answer = outcome.result.outputs.answer;
  } catch (error) {
    console.error("[kiln] chatflow run failed:", error);
    failure = new KilnError("internal_server_error", 500, "Internal Server Error, please contact support.");
  } finally {
    services.tasks.finish(task);
    turn.release();
  }

  const finalUsage = usage ?? emptyUsage();
  const saved = {
    status: failure ? "error" : runStatus === "stopped" ? "stopped" : "normal",
    error: failure?.message ?? null,
    answer,
    messageTokens: finalUsage.prompt_tokens,
    answerTokens: finalUsage.completion_tokens,
    totalPrice: finalUsage.total_price,
    currency: finalUsage.currency,
    latency: finalUsage.latency,
    metadata: { retriever_resources: [], usage: finalUsage },
    updatedAt: nowMicros(),
  };
  writeMessageResult(services.db, message.id, saved);
  if (failure) {
    // §7.2: the error event carries the envelope but no task_id.
    emit({ ...envelope("error"), code: failure.code, status: failure.status, message: failure.message });
  } else {
    emit({
      ...envelope("message_end"), task_id: task.id, id: message.id,
      metadata: { annotation_reply: null, retriever_resources: [], usage: finalUsage }, files: [],
    });
    if (turn.isFirstTurn && turn.autoGenerateName) scheduleConversationNaming(services, execution.app, conversation.id, message.query);
  }
  return { message: { ...message, ...saved }, error: failure };
}
