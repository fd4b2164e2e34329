/**
 * A workflow app run (§4.6–§4.7): inputs and files are checked and the run row written before
 * anything streams; the run then goes to its end whatever the client does. A failed workflow is
 * not an HTTP error: it finishes with `status: "failed"` (§4.6).
 */
import type { Services } from "../services";
import { nowMicros } from "../store/clock";
import type { App, EndUser, Workflow } from "../store/schema";
import { insertWorkflowRun } from "../store/workflow-runs";
import { prepareUserInputs, startVariables } from "../workflow/nodes/start-inputs";
import type { ReleaseSlot } from "./concurrency-limit";
import { resolveFileInputs, resolveRequestFiles, withoutUrls } from "./request-files";
import { executeWorkflow, runInputs, type EventPayload, type ExecutionOutcome, type WorkflowExecution } from "./workflow-execution";
import { resolveWorkflowVersion, workflowGraph } from "./workflow-version";

export interface WorkflowAppRequest {
  workflowId?: string | null;
  inputs: Record<string, unknown>;
  files: unknown;
  traceId: string | null;
}

export interface PreparedWorkflowRun {
  execution: WorkflowExecution;
  release: ReleaseSlot;
}

/** Start-variable validation for a graph, files first (shared with chatflows). */
export async function prepareGraphInputs(services: Services, app: App, workflow: Workflow, graphInputs: Record<string, unknown>, strictType: boolean) {
  const graph = workflowGraph(workflow, app.mode === "workflow" ? "workflow" : "advanced-chat");
  const variables = startVariables(graph.nodes.get(graph.rootId)!.data);
  const inputs = prepareUserInputs(variables, await resolveFileInputs(services, app, variables, graphInputs, strictType));
  return { graph, inputs };
}

export async function prepareWorkflowAppRun(services: Services, app: App, endUser: EndUser, request: WorkflowAppRequest): Promise<PreparedWorkflowRun> {
  const workflow = resolveWorkflowVersion(services.db, app, request.workflowId);
  const { graph, inputs } = await prepareGraphInputs(services, app, workflow, request.inputs, true);
  const files = await resolveRequestFiles(services, app, request.files, workflow.features.file_upload, true);
  const release = services.concurrency.acquire(app);
  try {
    const runId = crypto.randomUUID();
    const createdAt = nowMicros();
    const system = { files, user_id: endUser.sessionId, app_id: app.id, workflow_id: workflow.id, workflow_run_id: runId, timestamp: Math.floor(createdAt / 1e6) };
    insertWorkflowRun(
      services.db,
      {
        id: runId, appId: app.id, workflowId: workflow.id, type: "workflow", triggeredFrom: "app-run", version: workflow.version,
        inputs: withoutUrls(runInputs(inputs, system)), status: "running", outputs: null, error: null, elapsedTime: 0, totalTokens: 0,
        totalSteps: 0, exceptionsCount: 0, createdByRole: "end_user", createdBy: endUser.id, traceId: request.traceId, createdAt, finishedAt: null,
      },
      { createdFrom: "service-api" },
    );
    const task = services.tasks.start(app.id, endUser.id, "workflow");
    return { execution: { services, app, endUser, workflow, graph, runId, task, createdAt, inputs, system }, release };
  } catch (error) {
    release();
    throw error;
  }
}

/** Runs to the end, emitting §7.4 events (with `text_chunk` for answer text); never throws for a failed run. */
export async function runWorkflowApp(prepared: PreparedWorkflowRun, emit: (event: EventPayload) => void): Promise<ExecutionOutcome> {
  const { execution } = prepared;
  // §7.2: before workflow_started the envelope's run id would be null; the engine starts with it.
  const envelope = (event: string) => ({ event, workflow_run_id: execution.runId });
  try {
    return await executeWorkflow(execution, {
      envelope,
      emit,
      onChunk: (text, selector) => emit({ ...envelope("text_chunk"), task_id: execution.task.id, data: { text, from_variable_selector: selector } }),
    });
  } finally {
    execution.services.tasks.finish(execution.task);
    prepared.release();
  }
}
