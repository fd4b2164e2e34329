/**
 * Which published workflow version a request runs (§4.4, §4.7): the app's current one, or the
 * version a `workflow_id` names, with Dify's errors for a malformed, unknown or draft id. Loaded
 * graphs are cached per version: versions never change once published.
 */
import { LRUCache } from "lru-cache";
import { badRequest, invalidParam, notFound } from "../errors";
import { findPublishedWorkflow, findWorkflow } from "../store/apps";
import type { Db } from "../store/database";
import type { App, Workflow } from "../store/schema";
import { isUuid } from "../uuid";
import { loadGraph } from "../workflow/graph-loader";
import type { WorkflowGraph } from "../workflow/graph";

const graphs = new LRUCache<string, WorkflowGraph>({ max: 500 });

export function resolveWorkflowVersion(db: Db, app: App, workflowId?: string | null): Workflow {
  if (workflowId) {
    if (!isUuid(workflowId)) throw badRequest(`Invalid workflow_id format: '${workflowId}'. `);
    const workflow = findWorkflow(db, workflowId);
    if (!workflow || workflow.appId !== app.id) throw notFound(`Workflow not found with id: ${workflowId}`);
    if (workflow.version === "draft") {
      throw badRequest(`Cannot use draft workflow version. Workflow ID: ${workflowId}. Please use a published workflow version or leave workflow_id empty.`);
    }
    return workflow;
  }
  const published = findPublishedWorkflow(db, app);
  if (!published) throw invalidParam("Workflow not published");
  return published;
}

export function workflowGraph(workflow: Workflow, mode: "workflow" | "advanced-chat"): WorkflowGraph {
  let graph = graphs.get(workflow.id);
  if (!graph) {
    graph = loadGraph(workflow.graph, mode);
    graphs.set(workflow.id, graph);
  }
  return graph;
}
