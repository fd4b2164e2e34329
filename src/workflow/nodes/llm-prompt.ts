/**
 * Builds an LLM node's chat messages (§2.4): template messages (basic `{{#…#}}` text or jinja2
 * through the sandbox), `{{#context#}}`, memory history and the query turn, vision files as
 * image parts. Completion-mode templates become one user message. Images are inlined as `data:`
 * URLs when the services can load files: a signed link to this server is no use to a remote model.
 */
import type { ChatMessage, ChatRole, ContentPart } from "../../models/types.ts";
import { pythonStr } from "../python-format.ts";
import { fileUrl, isFile, type WorkflowFile } from "../segments.ts";
import type { EngineServices } from "../services.ts";
import { renderText, resolvedSegments } from "../template.ts";
import type { VariablePool } from "../variable-pool.ts";
import { NodeFailure } from "./node.ts";
import { resolveVariables } from "./node-variables.ts";

interface PromptItem {
  role?: string;
  text?: string;
  edition_type?: string;
  jinja2_text?: string;
}

interface BuildInput {
  data: Record<string, unknown>;
  pool: VariablePool;
  services: EngineServices;
  signal: AbortSignal;
}

/** §2.4 Context: a string as is, or knowledge results joined (summary, then content). */
export function buildContext(data: Record<string, unknown>, pool: VariablePool): string | null {
  const context = data.context as { enabled?: boolean; variable_selector?: unknown } | undefined;
  if (!context?.enabled || !Array.isArray(context.variable_selector)) return null;
  const value = pool.getValue(context.variable_selector.map(String));
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return pythonStr(value);
  let text = "";
  for (const item of value) {
    if (typeof item === "string") {
      text += `${item}\n`;
      continue;
    }
    const record = item as { content?: unknown; summary?: unknown };
    if (typeof record !== "object" || record === null || typeof record.content !== "string") {
      throw new NodeFailure("Invalid context structure", "InvalidContextStructureError");
    }
    if (typeof record.summary === "string" && record.summary !== "") text += `${record.summary}\n`;
    text += `${record.content}\n`;
  }
  return text.trim();
}

async function imageUrl(file: WorkflowFile, services: EngineServices): Promise<string> {
  if (!services.files) return fileUrl(file);
  let bytes: Uint8Array;
  try {
    bytes = await services.files.load(file);
  } catch (error) {
    throw new NodeFailure(`Failed to load image ${file.filename ?? ""}: ${error instanceof Error ? error.message : String(error)}`, "FileDownloadError");
  }
  return `data:${file.mime_type || "application/octet-stream"};base64,${Buffer.from(bytes).toString("base64")}`;
}

/** The images among `files` as content parts, in order; other file types are not sent. */
async function imageParts(files: WorkflowFile[], services: EngineServices, detail: "low" | "high" | undefined): Promise<ContentPart[]> {
  const parts: ContentPart[] = [];
  for (const file of files) {
    if (file.type !== "image") continue;
    const url = await imageUrl(file, services);
    if (url) parts.push({ type: "image", url, ...(detail ? { detail } : {}) });
  }
  return parts;
}

function toRole(role: string | undefined): ChatRole {
  return role === "system" || role === "assistant" ? role : "user";
}

async function renderItem(item: PromptItem, input: BuildInput, context: string | null): Promise<{ text: string; files: WorkflowFile[] }> {
  if (item.edition_type === "jinja2") {
    const config = input.data.prompt_config as { jinja2_variables?: unknown } | undefined;
    const variables = resolveVariables(config?.jinja2_variables, input.pool);
    // §2.4: jinja2 variables are plain objects; missing ones become "".
    for (const key of Object.keys(variables)) if (variables[key] === null) variables[key] = "";
    const { output } = await input.services.sandbox.run({
      language: "jinja2",
      code: item.jinja2_text ?? "",
      inputs: variables,
      signal: input.signal,
    });
    return { text: String(output ?? ""), files: [] };
  }
  const template = (item.text ?? "").replaceAll("{{#context#}}", context ?? "");
  const files = resolvedSegments(template, input.pool).flatMap(({ segment }) =>
    segment.type === "file" ? [segment.value as WorkflowFile] : segment.type === "array[file]" ? (segment.value as WorkflowFile[]) : [],
  );
  return { text: renderText(template, input.pool), files };
}

async function withFiles(text: string, files: WorkflowFile[], services: EngineServices): Promise<string | ContentPart[]> {
  const parts = await imageParts(files, services, undefined);
  return parts.length === 0 ? text : [...(text ? [{ type: "text" as const, text }] : []), ...parts];
}

/** The messages of one LLM call, in Dify's order: template, history, query, vision files. */
export async function buildPromptMessages(input: BuildInput, context: string | null): Promise<ChatMessage[]> {
  const { data, pool, services } = input;
  const messages: ChatMessage[] = [];
  const template = data.prompt_template;
  if (Array.isArray(template)) {
    for (const item of template as PromptItem[]) {
      const { text, files } = await renderItem(item, input, context);
      if (text === "" && files.length === 0) continue;
      messages.push({ role: toRole(item.role), content: await withFiles(text, files, services) });
    }
  } else if (typeof template === "object" && template !== null) {
    const { text, files } = await renderItem(template as PromptItem, input, context);
    if (text !== "" || files.length > 0) messages.push({ role: "user", content: await withFiles(text, files, services) });
  }

  const memory = data.memory as { window?: { enabled?: boolean; size?: number }; query_prompt_template?: string } | undefined;
  if (memory && typeof memory === "object") {
    if (services.history) {
      const limit = memory.window?.enabled ? Number(memory.window.size ?? 0) || undefined : undefined;
      messages.push(...(await services.history(limit)));
    }
    const query = renderText(memory.query_prompt_template || "{{#sys.query#}}", pool);
    if (query !== "" && query !== "sys.query") messages.push({ role: "user", content: query });
  }

  const vision = data.vision as { enabled?: boolean; configs?: { variable_selector?: unknown; detail?: "low" | "high" } } | undefined;
  if (vision?.enabled) {
    const selector = Array.isArray(vision.configs?.variable_selector) ? vision.configs.variable_selector.map(String) : ["sys", "files"];
    const value = pool.getValue(selector);
    const files = (Array.isArray(value) ? value : [value]).filter(isFile);
    const parts = await imageParts(files, services, vision.configs?.detail);
    if (parts.length > 0) {
      const lastUserIndex = messages.findLastIndex((message) => message.role === "user");
      if (lastUserIndex >= 0) {
        const lastUser = messages[lastUserIndex]!;
        const existing = typeof lastUser.content === "string" ? [{ type: "text" as const, text: lastUser.content }] : lastUser.content;
        messages[lastUserIndex] = { ...lastUser, content: [...parts, ...existing] };
      } else {
        messages.push({ role: "user", content: parts });
      }
    }
  }
  if (messages.length === 0) throw new NodeFailure("No prompt found in the LLM configuration", "NoPromptFoundError");
  return messages;
}
