/**
 * What the engine needs from the rest of Kiln, as small injected interfaces: a model call, the
 * code sandbox, (for chatflow memory) the conversation history and the bytes behind file records. The app runners build these
 * with `createEngineServices` from the model registry and the sandbox; tests do the same.
 */
import { invokeChat, type ChatOutcome } from "../models/invoke-chat.ts";
import type { ModelRegistry } from "../models/registry.ts";
import type { ChatEvent, ChatMessage, ToolDefinition } from "../models/types.ts";
import type { Sandbox } from "../sandbox/types.ts";
import type { WorkflowFile } from "./segments.ts";

/** A DSL `model` block (§2.4). */
export interface ModelSpec {
  provider: string;
  name: string;
  mode?: string;
  completion_params?: Record<string, unknown>;
}

export interface EngineChatRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  signal?: AbortSignal;
}

/** Reads the content of a file record (an upload on disk, a remote URL through the SSRF guard). */
export interface FileLoader {
  /** Throws with a message naming the file when its content cannot be had. */
  load(file: WorkflowFile): Promise<Uint8Array>;
}

export interface EngineServices {
  /** Calls a model named by a DSL `model` block; streams events to `onEvent`; returns the outcome. */
  chat(model: ModelSpec, request: EngineChatRequest, onEvent?: (event: ChatEvent) => void): Promise<ChatOutcome>;
  sandbox: Pick<Sandbox, "run">;
  /** Chatflow memory: earlier turns of this conversation, oldest first, at most `limit` turns. */
  history?(limit: number | undefined): Promise<ChatMessage[]>;
  /**
   * File contents for `document-extractor` and LLM vision. Without it the extractor fails and
   * vision sends each image's URL as it is.
   */
  files?: FileLoader;
}

export type { ChatOutcome };

/** The usual services: model calls through the registry, the given sandbox, optional history. */
export function createEngineServices(options: {
  registry: Pick<ModelRegistry, "resolve">;
  sandbox: Pick<Sandbox, "run">;
  history?: EngineServices["history"];
  files?: FileLoader;
}): EngineServices {
  const { registry, sandbox, history, files } = options;
  return {
    chat: (model, request, onEvent) =>
      invokeChat(
        registry.resolve({ provider: model.provider, name: model.name }),
        { messages: request.messages, tools: request.tools, signal: request.signal, parameters: model.completion_params },
        onEvent,
      ),
    sandbox,
    ...(history ? { history } : {}),
    ...(files ? { files } : {}),
  };
}
