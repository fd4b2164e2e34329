/**
 * The drizzle schema: every record the Service API contract persists (spec README, "Process
 * and storage"). Kiln has one workspace, so Dify's tenant columns are dropped and the app is the
 * unit of isolation everywhere.
 *
 * Timestamps are integer **microseconds** from `store/clock.ts`, strictly increasing within the
 * process, so keyset pagination on `created_at`/`updated_at` never meets a tie. The API shows
 * them as Unix seconds.
 *
 * The SQL that creates these tables lives in `store/migrations/`; `test/store/schema.test.ts`
 * checks the two agree.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

type Json = Record<string, unknown>;

export const apps = sqliteTable("apps", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  mode: text("mode", { enum: ["completion", "chat", "agent-chat", "advanced-chat", "workflow"] }).notNull(),
  description: text("description").notNull().default(""),
  icon: text("icon"),
  iconType: text("icon_type"),
  iconBackground: text("icon_background"),
  useIconAsAnswerIcon: integer("use_icon_as_answer_icon", { mode: "boolean" }).notNull().default(false),
  /** `normal`; anything else makes every key of the app answer 403 (§2.2). */
  status: text("status").notNull().default("normal"),
  enableApi: integer("enable_api", { mode: "boolean" }).notNull().default(true),
  /** Per-app concurrency limit (§11.1); null or 0 falls back to the global setting. */
  maxActiveRequests: integer("max_active_requests"),
  tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
  authorName: text("author_name"),
  /** Easy-UI apps (chat, agent-chat, completion): the DSL's `model_config`. */
  modelConfig: text("model_config", { mode: "json" }).$type<Json>(),
  /** Workflow and advanced-chat apps: the published version that runs by default. */
  workflowId: text("workflow_id"),
  /** The DSL `kind`/`version` the app came from, kept for export. */
  dslVersion: text("dsl_version").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const workflows = sqliteTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    /** `workflow` or `chat` (advanced-chat), as Dify's WorkflowRun.type. */
    type: text("type").notNull(),
    /** `draft` or the publish time as Dify writes it (`2024-08-01 12:17:09.771832`). */
    version: text("version").notNull(),
    graph: text("graph", { mode: "json" }).$type<Json>().notNull(),
    features: text("features", { mode: "json" }).$type<Json>().notNull(),
    environmentVariables: text("environment_variables", { mode: "json" }).$type<Json[]>().notNull(),
    conversationVariables: text("conversation_variables", { mode: "json" }).$type<Json[]>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("workflows_app_idx").on(table.appId)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    token: text("token").notNull(),
    lastUsedAt: integer("last_used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [uniqueIndex("api_keys_token_idx").on(table.token), index("api_keys_app_idx").on(table.appId)],
);

export const endUsers = sqliteTable(
  "end_users",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    type: text("type").notNull().default("service-api"),
    /** The client's `user` string. */
    sessionId: text("session_id").notNull(),
    isAnonymous: integer("is_anonymous", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [uniqueIndex("end_users_app_session_idx").on(table.appId, table.sessionId)],
);

export const conversations = sqliteTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    endUserId: text("end_user_id").notNull(),
    mode: text("mode").notNull(),
    name: text("name").notNull(),
    inputs: text("inputs", { mode: "json" }).$type<Json>().notNull(),
    introduction: text("introduction").notNull().default(""),
    status: text("status").notNull().default("normal"),
    fromSource: text("from_source").notNull().default("api"),
    invokeFrom: text("invoke_from").notNull().default("service-api"),
    dialogueCount: integer("dialogue_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [
    index("conversations_owner_updated_idx").on(table.appId, table.endUserId, table.updatedAt),
    index("conversations_owner_created_idx").on(table.appId, table.endUserId, table.createdAt),
  ],
);

export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id").notNull(),
    endUserId: text("end_user_id").notNull(),
    query: text("query").notNull(),
    inputs: text("inputs", { mode: "json" }).$type<Json>().notNull(),
    answer: text("answer").notNull().default(""),
    /** `normal`, `error` or `stopped`. */
    status: text("status").notNull().default("normal"),
    error: text("error"),
    /** The model's provider/name that answered, for the record. */
    modelProvider: text("model_provider"),
    modelId: text("model_id"),
    messageTokens: integer("message_tokens").notNull().default(0),
    answerTokens: integer("answer_tokens").notNull().default(0),
    totalPrice: text("total_price").notNull().default("0"),
    currency: text("currency").notNull().default("USD"),
    latency: real("latency").notNull().default(0),
    /** The full §8.1 Usage and the retriever resources, as `metadata` in responses. */
    metadata: text("metadata", { mode: "json" }).$type<Json>().notNull(),
    workflowRunId: text("workflow_run_id"),
    traceId: text("trace_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [index("messages_conversation_created_idx").on(table.conversationId, table.createdAt)],
);

export const messageFeedbacks = sqliteTable(
  "message_feedbacks",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    conversationId: text("conversation_id").notNull(),
    messageId: text("message_id").notNull(),
    rating: text("rating").notNull(),
    content: text("content"),
    fromSource: text("from_source").notNull().default("user"),
    fromEndUserId: text("from_end_user_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [
    uniqueIndex("message_feedbacks_message_user_idx").on(table.messageId, table.fromEndUserId),
    index("message_feedbacks_app_created_idx").on(table.appId, table.createdAt),
  ],
);

export const messageAgentThoughts = sqliteTable(
  "message_agent_thoughts",
  {
    id: text("id").primaryKey(),
    messageId: text("message_id").notNull(),
    position: integer("position").notNull(),
    thought: text("thought"),
    tool: text("tool"),
    toolLabels: text("tool_labels", { mode: "json" }).$type<Json>(),
    toolInput: text("tool_input"),
    observation: text("observation"),
    files: text("files", { mode: "json" }).$type<string[]>().notNull().default([]),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("message_agent_thoughts_message_idx").on(table.messageId, table.position)],
);

export const uploadFiles = sqliteTable(
  "upload_files",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    size: integer("size").notNull(),
    extension: text("extension").notNull(),
    mimeType: text("mime_type").notNull(),
    /** Path below the data folder's `files/`. */
    storageKey: text("storage_key").notNull(),
    hash: text("hash").notNull(),
    createdByEndUserId: text("created_by_end_user_id"),
    used: integer("used", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("upload_files_app_idx").on(table.appId)],
);

export const messageFiles = sqliteTable(
  "message_files",
  {
    id: text("id").primaryKey(),
    messageId: text("message_id").notNull(),
    appId: text("app_id").notNull(),
    type: text("type").notNull(),
    transferMethod: text("transfer_method").notNull(),
    url: text("url"),
    belongsTo: text("belongs_to").notNull().default("user"),
    uploadFileId: text("upload_file_id"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("message_files_message_idx").on(table.messageId), index("message_files_upload_idx").on(table.uploadFileId)],
);

export const workflowRuns = sqliteTable(
  "workflow_runs",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    workflowId: text("workflow_id").notNull(),
    /** `workflow` or `chat`. */
    type: text("type").notNull(),
    triggeredFrom: text("triggered_from").notNull().default("app-run"),
    version: text("version").notNull(),
    inputs: text("inputs", { mode: "json" }).$type<Json>().notNull(),
    status: text("status").notNull(),
    outputs: text("outputs", { mode: "json" }).$type<Json>(),
    error: text("error"),
    elapsedTime: real("elapsed_time").notNull().default(0),
    totalTokens: integer("total_tokens").notNull().default(0),
    totalSteps: integer("total_steps").notNull().default(0),
    exceptionsCount: integer("exceptions_count").notNull().default(0),
    createdByRole: text("created_by_role").notNull().default("end_user"),
    createdBy: text("created_by").notNull(),
    traceId: text("trace_id"),
    createdAt: integer("created_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (table) => [index("workflow_runs_app_created_idx").on(table.appId, table.createdAt)],
);

export const workflowNodeExecutions = sqliteTable(
  "workflow_node_executions",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    workflowRunId: text("workflow_run_id").notNull(),
    index: integer("index").notNull(),
    predecessorNodeId: text("predecessor_node_id"),
    nodeId: text("node_id").notNull(),
    nodeType: text("node_type").notNull(),
    title: text("title").notNull(),
    inputs: text("inputs", { mode: "json" }).$type<Json>(),
    processData: text("process_data", { mode: "json" }).$type<Json>(),
    outputs: text("outputs", { mode: "json" }).$type<Json>(),
    status: text("status").notNull(),
    error: text("error"),
    elapsedTime: real("elapsed_time").notNull().default(0),
    executionMetadata: text("execution_metadata", { mode: "json" }).$type<Json>(),
    createdAt: integer("created_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (table) => [index("workflow_node_executions_run_idx").on(table.workflowRunId, table.index)],
);

export const workflowAppLogs = sqliteTable(
  "workflow_app_logs",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    workflowId: text("workflow_id").notNull(),
    workflowRunId: text("workflow_run_id").notNull(),
    createdFrom: text("created_from").notNull().default("service-api"),
    createdByRole: text("created_by_role").notNull().default("end_user"),
    createdByEndUserId: text("created_by_end_user_id"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("workflow_app_logs_app_created_idx").on(table.appId, table.createdAt)],
);

export const conversationVariables = sqliteTable(
  "conversation_variables",
  {
    /** The variable's id from the DSL: rows are keyed by id, not name (workflow-engine §3.5). */
    id: text("id").notNull(),
    conversationId: text("conversation_id").notNull(),
    appId: text("app_id").notNull(),
    name: text("name").notNull(),
    valueType: text("value_type").notNull(),
    value: text("value", { mode: "json" }).$type<unknown>(),
    description: text("description").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.id, table.conversationId] }),
    index("conversation_variables_conversation_idx").on(table.conversationId, table.createdAt),
  ],
);

export const annotations = sqliteTable(
  "annotations",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull().references(() => apps.id, { onDelete: "cascade" }),
    question: text("question").notNull(),
    content: text("content").notNull(),
    hitCount: integer("hit_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [index("annotations_app_created_idx").on(table.appId, table.createdAt)],
);

export type App = typeof apps.$inferSelect;
export type Workflow = typeof workflows.$inferSelect;
export type EndUser = typeof endUsers.$inferSelect;
