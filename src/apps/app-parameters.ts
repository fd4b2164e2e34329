/**
 * The `/parameters` document (§4.24): always the same 12 keys in the same order, taken from
 * the published workflow's features and Start variables (workflow, advanced-chat) or from the
 * app's `model_config` (easy-UI modes), with Dify's defaults for what is absent.
 */
import type { Settings } from "../config";
import type { App, Workflow } from "../store/schema";

type Json = Record<string, unknown>;

const DISABLED = { enabled: false };
const DEFAULT_FILE_UPLOAD = {
  image: { enabled: false, number_limits: 3, detail: "high", transfer_methods: ["remote_url", "local_file"] },
};
const DEFAULT_SENSITIVE_WORD_AVOIDANCE = { enabled: false, type: "", configs: [] };

const mapping = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

/** Start variables in Dify's "old structure": one `{<type>: <definition>}` object each. */
export function startVariables(workflow: Workflow): Json[] {
  const nodes = (workflow.graph.nodes as Json[] | undefined) ?? [];
  const start = nodes.find((node) => mapping(node.data)?.type === "start");
  const variables = (mapping(start?.data)?.variables as Json[] | undefined) ?? [];
  return variables.filter((variable) => mapping(variable)).map((variable) => ({ [String(variable.type)]: variable }));
}

export function appParameters(app: App, workflow: Workflow | undefined, settings: Settings) {
  const usesWorkflow = app.mode === "workflow" || app.mode === "advanced-chat";
  const source: Json = (usesWorkflow ? workflow?.features : app.modelConfig) ?? {};
  const feature = (key: string, fallback: Json) => mapping(source[key]) ?? fallback;
  const userInputForm = usesWorkflow
    ? workflow ? startVariables(workflow) : []
    : ((source.user_input_form as Json[] | undefined) ?? []);
  return {
    opening_statement: typeof source.opening_statement === "string" ? source.opening_statement : null,
    suggested_questions: Array.isArray(source.suggested_questions) ? source.suggested_questions : [],
    suggested_questions_after_answer: feature("suggested_questions_after_answer", DISABLED),
    speech_to_text: feature("speech_to_text", DISABLED),
    text_to_speech: feature("text_to_speech", DISABLED),
    // Easy-UI apps show their sources unless told otherwise (§4.24 defaults).
    retriever_resource: feature("retriever_resource", usesWorkflow ? DISABLED : { enabled: true }),
    annotation_reply: feature("annotation_reply", DISABLED),
    more_like_this: feature("more_like_this", DISABLED),
    user_input_form: userInputForm,
    sensitive_word_avoidance: feature("sensitive_word_avoidance", DEFAULT_SENSITIVE_WORD_AVOIDANCE),
    file_upload: feature("file_upload", DEFAULT_FILE_UPLOAD),
    system_parameters: {
      image_file_size_limit: settings.uploadImageSizeLimitMb,
      video_file_size_limit: settings.uploadVideoSizeLimitMb,
      audio_file_size_limit: settings.uploadAudioSizeLimitMb,
      file_size_limit: settings.uploadFileSizeLimitMb,
      workflow_file_upload_limit: settings.workflowFileUploadLimit,
    },
  };
}
