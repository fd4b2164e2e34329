/**
 * Runs a published workflow version for an app turn and turns the engine's events into the
 * contract's (§7.4): `workflow_started`, `node_started`, `node_retry`, `node_finished`,
 * `workflow_finished`, each under the caller's envelope, while every node execution and the run
 * itself are persisted as they happen (§4.8, workflow-engine §4). Answer text is handed to the
 * caller (`text_chunk` for workflow apps, `message` for chatflows).
 */
import type { KilnFile } from "../files/file-references";
import { loadFileBytes } from "../files/load-file";
import { sumUsages } from "../models/usage";
import type { LlmUsage } from "../models/types";
import type { Services } from "../services";
import { toSeconds } from "../store/clock";
import type { App, EndUser, Workflow } from "../store/schema";
import { finishWorkflowRun, insertNodeExecution, updateNodeExecution } from "../store/workflow-runs";
import type { Task } from "../tasks/task-registry";
import { runWorkflow, type SystemVariables, type VariableValue, type WorkflowRunResult } from "../workflow/engine";
import type { EngineEvent, NodeExecutionRef } from "../workflow/events";
import type { WorkflowGraph } from "../workflow/graph";
import { isFile } from "../workflow/segments";
import { createEngineServices, type EngineServices } from "../workflow/services";
import type { Selector } from "../workflow/variable-pool";

export type EventPayload = Record<string, unknown>;

export interface WorkflowExecution {
  services: Services;
  app: App;
  endUser: EndUser;
  workflow: Workflow;
  graph: WorkflowGraph;
  runId: string;
  task: Task;
  /** Unix microseconds of the run row. */
  createdAt: number;
  inputs: Record<string, unknown>;
  system: SystemVariables;
  conversationVariables?: VariableValue[];
  history?: EngineServices["history"];
}

export interface ExecutionSink {
  /** The envelope keys every event of this app type starts with (§7.2). */
  envelope(event: string): EventPayload;
  emit(event: EventPayload): void;
  onChunk(text: string, selector: Selector): void;
  onVariableUpdated?(selector: Selector, value: unknown): void;
}

export interface ExecutionOutcome {
  result: WorkflowRunResult;
  /** The summed usage of every LLM node (for `message_end`). */
  usage: LlmUsage;
}

const seconds = (milliseconds: number) => Math.floor(milliseconds / 1000);

/** Every File dict found in the top level of outputs (node_finished / workflow_finished `files`). */
export function filesIn(outputs: Record<string, unknown> | null): unknown[] {
  if (!outputs) return [];
  return Object.values(outputs).flatMap((value) => (isFile(value) ? [value] : Array.isArray(value) ? value.filter(isFile) : []));
}

/** The run's stored and announced inputs: user inputs plus `sys.*`, minus the conversation id (§7.4). */
export function runInputs(inputs: Record<string, unknown>, system: SystemVariables): Record<string, unknown> {
  const flattened: Record<string, unknown> = { ...inputs };
  for (const [key, value] of Object.entries(system)) {
    if (value !== undefined && key !== "conversation_id") flattened[`sys.${key}`] = value;
  }
  return flattened;
}

function nodeRef(event: NodeExecutionRef) {
  return { id: event.id, node_id: event.nodeId, node_type: event.nodeType, title: event.title, index: event.index, predecessor_node_id: null };
}

export async function executeWorkflow(execution: WorkflowExecution, sink: ExecutionSink): Promise<ExecutionOutcome> {
  const { services, app, workflow, runId, task } = execution;
  const db = services.db;
  const usages: LlmUsage[] = [];
  const envelopeWith = (event: string, data: EventPayload) => ({ ...sink.envelope(event), task_id: task.id, workflow_run_id: runId, data });

  const onEvent = (event: EngineEvent) => {
    switch (event.type) {
      case "run_started":
        sink.emit(envelopeWith("workflow_started", {
          id: runId, workflow_id: workflow.id, inputs: runInputs(execution.inputs, execution.system), created_at: toSeconds(execution.createdAt),
        }));
        break;
      case "node_started":
        insertNodeExecution(db, {
          id: event.id, appId: app.id, workflowId: workflow.id, workflowRunId: runId, index: event.index, predecessorNodeId: null,
          nodeId: event.nodeId, nodeType: event.nodeType, title: event.title, inputs: null, processData: null, outputs: null,
          status: "running", error: null, elapsedTime: 0, executionMetadata: null, createdAt: event.createdAt * 1000, finishedAt: null,
        });
        sink.emit(envelopeWith("node_started", {
          ...nodeRef(event), inputs: null, inputs_truncated: false, created_at: seconds(event.createdAt), extras: {},
          iteration_id: null, loop_id: null, agent_strategy: null,
        }));
        break;
      case "node_retry":
      case "node_finished": {
        const finished = event.type === "node_finished";
        const finishedAt = finished ? event.finishedAt : Date.now();
        const status = finished ? event.status : "retry";
        // The Start node's record shows only the user inputs as outputs (workflow-engine §2.1).
        const storedOutputs = event.nodeType === "start" ? event.inputs : event.outputs;
        updateNodeExecution(db, event.id, {
          status, inputs: event.inputs, processData: event.processData, outputs: storedOutputs, error: event.error,
          elapsedTime: event.elapsedTime, executionMetadata: finished ? event.executionMetadata : null, finishedAt: finishedAt * 1000,
        });
        if (finished && event.nodeType === "llm" && event.outputs?.usage) usages.push(event.outputs.usage as LlmUsage);
        sink.emit(envelopeWith(event.type, {
          ...nodeRef(event), inputs: event.inputs, inputs_truncated: false, process_data: event.processData, process_data_truncated: false,
          outputs: event.outputs, outputs_truncated: false, status, error: event.error, elapsed_time: event.elapsedTime,
          execution_metadata: finished ? event.executionMetadata : null, created_at: seconds(event.createdAt), finished_at: seconds(finishedAt),
          files: filesIn(event.outputs), iteration_id: null, loop_id: null,
          ...(finished ? {} : { retry_index: event.retryIndex }),
        }));
        break;
      }
      case "stream_chunk":
        sink.onChunk(event.text, event.selector);
        break;
      case "variable_updated":
        sink.onVariableUpdated?.(event.selector, event.value);
        break;
      case "run_finished":
        finishWorkflowRun(db, runId, {
          status: event.status, outputs: event.outputs, error: event.error, elapsedTime: event.elapsedTime,
          totalTokens: event.totalTokens, totalSteps: event.totalSteps, exceptionsCount: event.exceptionsCount, finishedAt: event.finishedAt * 1000,
        });
        sink.emit(envelopeWith("workflow_finished", {
          id: runId, workflow_id: workflow.id, status: event.status, outputs: event.outputs, error: event.error,
          elapsed_time: event.elapsedTime, total_tokens: event.totalTokens, total_steps: event.totalSteps,
          created_by: { id: execution.endUser.id, user: execution.endUser.sessionId },
          created_at: toSeconds(execution.createdAt), finished_at: seconds(event.finishedAt), exceptions_count: event.exceptionsCount,
          files: filesIn(event.outputs),
        }));
        break;
    }
  };

  const result = await runWorkflow({
    graph: execution.graph,
    inputs: execution.inputs,
    system: execution.system,
    environmentVariables: workflow.environmentVariables as unknown as VariableValue[],
    conversationVariables: execution.conversationVariables,
    services: createEngineServices({
      registry: services.models,
      sandbox: services.sandbox,
      history: execution.history,
      files: { load: (file) => loadFileBytes(services, file as KilnFile) },
    }),
    signal: task.controller.signal,
    limits: { maxSteps: services.settings.workflowMaxSteps, maxExecutionMs: services.settings.workflowMaxTimeSec * 1000 },
    onEvent,
  });
  return { result, usage: sumUsages(usages) };
}
