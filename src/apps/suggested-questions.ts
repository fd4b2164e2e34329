/**
 * Suggested questions after an answer (§4.16): the app's model reads the last few turns of the
 * conversation and proposes three follow-up questions as a JSON array. As in Dify, a model
 * failure or an answer without such an array gives an empty list, never an error: the feature is
 * a nicety beside the conversation.
 */
import { badRequest } from "../errors";
import { invokeChat } from "../models/invoke-chat";
import type { ModelParameters } from "../models/types";
import type { Services } from "../services";
import { findPublishedWorkflow } from "../store/apps";
import { recentTurns } from "../store/messages";
import type { App } from "../store/schema";
import type { ModelSpec } from "../workflow/services";
import { appModel } from "./app-model";

/** Dify reads up to three messages of history for this. */
const HISTORY_TURNS = 3;
const INSTRUCTIONS =
  "Suggest the three questions the user is most likely to ask next in the conversation above. " +
  "Keep each question short (under 20 characters where the language allows) and write them in the language of the assistant's last reply. " +
  'Answer with a JSON array of three strings and nothing else, for example ["question 1","question 2","question 3"].';
// Dify's fixed parameters for this call; the app's own ones (a script for the built-in model) stay.
const PARAMETERS: ModelParameters = { max_tokens: 256, temperature: 0 };

type Json = Record<string, unknown>;

interface SuggestionSource {
  enabled: boolean;
  model?: ModelSpec;
}

/**
 * Where the feature switch and the model live: the model config for easy-UI apps; the published
 * workflow's features for advanced-chat, whose model is its first LLM node's (Kiln has no
 * workspace default model, which Dify would use).
 */
function suggestionSource(services: Services, app: App): SuggestionSource | undefined {
  if (app.mode !== "advanced-chat") {
    const feature = app.modelConfig?.suggested_questions_after_answer as Json | undefined;
    return { enabled: feature?.enabled === true, model: appModel(app, undefined) };
  }
  const workflow = findPublishedWorkflow(services.db, app);
  if (!workflow) return undefined;
  const feature = workflow.features.suggested_questions_after_answer as Json | undefined;
  return { enabled: feature?.enabled === true, model: appModel(app, workflow) };
}

/** The first JSON array of strings in the text (models wrap answers in prose and code fences). */
export function firstStringArray(text: string): string[] | undefined {
  for (let open = text.indexOf("["); open >= 0; open = text.indexOf("[", open + 1)) {
    for (let close = text.indexOf("]", open); close >= 0; close = text.indexOf("]", close + 1)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text.slice(open, close + 1));
      } catch {
        continue;
      }
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) return parsed;
      break;
    }
  }
  return undefined;
}

/**
 * The questions for a conversation of `app`. Throws 400 `bad_request` when the feature is off;
 * an advanced-chat app without a published workflow has none.
 */
export async function suggestQuestions(services: Services, app: App, conversationId: string): Promise<string[]> {
  const source = suggestionSource(services, app);
  if (!source) return [];
  if (!source.enabled) throw badRequest("Suggested Questions Is Disabled.");
  const history = recentTurns(services.db, conversationId, null, HISTORY_TURNS)
    .toReversed()
    .map((turn) => `Human: ${turn.query}\nAssistant: ${turn.answer}`)
    .join("\n");
  try {
    if (!source.model) return [];
    const model = services.models.resolve(source.model);
    const appParameters = (source.model.completion_params as ModelParameters | undefined) ?? {};
    const outcome = await invokeChat(model, {
      messages: [{ role: "user", content: `${history}\n\n${INSTRUCTIONS}` }],
      parameters: { ...appParameters, ...PARAMETERS },
    });
    return (firstStringArray(outcome.text) ?? []).map((question) => question.trim()).filter(Boolean);
  } catch (error) {
    console.error("[kiln] suggested questions failed:", error instanceof Error ? error.message : error);
    return [];
  }
}
