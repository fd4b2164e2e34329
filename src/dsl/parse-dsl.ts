/**
 * Reads a Dify DSL file (YAML, versions 0.1.0–0.7.x) into an `AppDefinition`, checking what the
 * importer and the runners rely on. Every problem is a `DslError` whose message names the key
 * at fault, so `kiln app import` can say what is wrong before anything is written.
 */
import { parse as parseYaml, YAMLParseError } from "yaml";
import { loadGraph } from "../workflow/graph-loader";

export const APP_MODES = ["completion", "chat", "agent-chat", "advanced-chat", "workflow"] as const;
export type AppMode = (typeof APP_MODES)[number];

/** The newest DSL version Kiln reads; Dify 1.13 writes 0.6.0, later releases 0.7.0. */
export const CURRENT_DSL_VERSION = "0.6.0";
const NEWEST_READABLE_MAJOR_MINOR = [0, 7] as const;
const MAX_DSL_BYTES = 10 * 1024 * 1024;

export class DslError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DslError";
  }
}

type Json = Record<string, unknown>;

export interface AppDefinition {
  dslVersion: string;
  name: string;
  mode: AppMode;
  description: string;
  icon: string | null;
  iconType: string | null;
  iconBackground: string | null;
  useIconAsAnswerIcon: boolean;
  /** Easy-UI modes. */
  modelConfig: Json | null;
  /** Workflow and advanced-chat modes. */
  workflow: {
    graph: Json;
    features: Json;
    environmentVariables: Json[];
    conversationVariables: Json[];
  } | null;
}

const isMapping = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function optionalString(owner: Json, key: string, where: string): string | null {
  const value = owner[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new DslError(`${where}.${key} must be a string`);
  return value;
}

export function parseDsl(text: string): AppDefinition {
  if (Buffer.byteLength(text) > MAX_DSL_BYTES) throw new DslError("DSL file is larger than 10 MB");
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 1000 });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      throw new DslError(`invalid YAML${at ? ` at line ${at.line}, column ${at.col}` : ""}: ${error.message.split("\n")[0]}`);
    }
    throw new DslError(`invalid YAML: ${(error as Error).message}`);
  }
  if (!isMapping(document)) throw new DslError("a DSL file must be a YAML mapping with `app` at the top level");

  const version = document.version ?? "0.1.0";
  if (typeof version !== "string") throw new DslError("`version` must be a string such as \"0.6.0\" (quote it in YAML)");
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new DslError(`\`version\` "${version}" is not a DSL version such as "0.6.0"`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > NEWEST_READABLE_MAJOR_MINOR[0] || (major === NEWEST_READABLE_MAJOR_MINOR[0] && minor > NEWEST_READABLE_MAJOR_MINOR[1])) {
    throw new DslError(`DSL version ${version} is newer than this Kiln reads (up to 0.7.x)`);
  }
  if (document.kind !== undefined && document.kind !== "app") {
    throw new DslError(`\`kind\` is "${String(document.kind)}": only app DSL files can be imported`);
  }

  const app = document.app;
  if (!isMapping(app)) throw new DslError("missing `app` mapping (name, mode, icon…)");
  const name = app.name;
  if (typeof name !== "string" || name.trim() === "") throw new DslError("`app.name` must be a non-empty string");
  let mode = app.mode as AppMode;
  if (typeof mode !== "string" || !APP_MODES.includes(mode)) {
    throw new DslError(`\`app.mode\` must be one of ${APP_MODES.join(", ")}; got ${JSON.stringify(app.mode ?? null)}`);
  }

  const base = {
    dslVersion: version,
    name,
    description: optionalString(app, "description", "app") ?? "",
    icon: optionalString(app, "icon", "app"),
    iconType: optionalString(app, "icon_type", "app"),
    iconBackground: optionalString(app, "icon_background", "app"),
    useIconAsAnswerIcon: app.use_icon_as_answer_icon === true,
  };

  if (mode === "workflow" || mode === "advanced-chat") {
    return { ...base, mode, modelConfig: null, workflow: parseWorkflow(document.workflow, mode) };
  }

  const modelConfig = document.model_config;
  if (!isMapping(modelConfig)) throw new DslError(`a ${mode} app needs a \`model_config\` mapping`);
  const model = modelConfig.model;
  if (!isMapping(model)) throw new DslError("`model_config.model` must be a mapping with provider and name");
  if (typeof model.provider !== "string" || model.provider === "") throw new DslError("`model_config.model.provider` must be a non-empty string");
  if (typeof model.name !== "string" || model.name === "") throw new DslError("`model_config.model.name` must be a non-empty string");
  if (modelConfig.user_input_form !== undefined && modelConfig.user_input_form !== null && !Array.isArray(modelConfig.user_input_form)) {
    throw new DslError("`model_config.user_input_form` must be a list");
  }
  // A chat app whose config enables an agent strategy is an agent-chat app (service-api §4, Modes).
  const agentMode = modelConfig.agent_mode;
  if (mode === "chat" && isMapping(agentMode) && agentMode.enabled === true && ["function_call", "react"].includes(String(agentMode.strategy))) {
    mode = "agent-chat";
  }
  return { ...base, mode, modelConfig, workflow: null };
}

function parseWorkflow(workflow: unknown, mode: "workflow" | "advanced-chat"): NonNullable<AppDefinition["workflow"]> {
  if (!isMapping(workflow)) throw new DslError(`a ${mode} app needs a \`workflow\` mapping with a graph`);
  const graph = workflow.graph;
  if (!isMapping(graph)) throw new DslError("`workflow.graph` must be a mapping with nodes and edges");
  if (!Array.isArray(graph.nodes)) throw new DslError("`workflow.graph.nodes` must be a list");
  if (graph.edges !== undefined && !Array.isArray(graph.edges)) throw new DslError("`workflow.graph.edges` must be a list");
  try {
    loadGraph(graph, mode);
  } catch (error) {
    throw new DslError(`workflow graph: ${(error as Error).message}`);
  }
  const features = workflow.features ?? {};
  if (!isMapping(features)) throw new DslError("`workflow.features` must be a mapping");
  return {
    graph,
    features,
    environmentVariables: parseVariables(workflow.environment_variables, "workflow.environment_variables"),
    conversationVariables: parseVariables(workflow.conversation_variables, "workflow.conversation_variables"),
  };
}

function parseVariables(list: unknown, where: string): Json[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new DslError(`\`${where}\` must be a list`);
  return list.map((variable, index) => {
    const at = `${where}[${index}]`;
    if (!isMapping(variable)) throw new DslError(`\`${at}\` must be a mapping`);
    if (typeof variable.name !== "string" || variable.name === "") throw new DslError(`\`${at}.name\` is required`);
    if (typeof variable.value_type !== "string") throw new DslError(`\`${at}.value_type\` is required (variable "${variable.name}")`);
    if (variable.value === undefined || variable.value === null) throw new DslError(`\`${at}.value\` is required (variable "${variable.name}")`);
    return { ...variable, id: typeof variable.id === "string" && variable.id ? variable.id : crypto.randomUUID() };
  });
}
