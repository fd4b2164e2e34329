/** Writes an app back out as Dify DSL YAML that Dify (and Kiln) can import again. */
import { stringify } from "yaml";
import { findPublishedWorkflow } from "../store/apps";
import type { Db } from "../store/database";
import type { App } from "../store/schema";
import { CURRENT_DSL_VERSION } from "./parse-dsl";

export function exportApp(db: Db, app: App): string {
  const document: Record<string, unknown> = {
    app: {
      description: app.description,
      icon: app.icon,
      icon_background: app.iconBackground,
      icon_type: app.iconType,
      mode: app.mode,
      name: app.name,
      use_icon_as_answer_icon: app.useIconAsAnswerIcon,
    },
    dependencies: [],
    kind: "app",
    version: CURRENT_DSL_VERSION,
  };
  const workflow = findPublishedWorkflow(db, app);
  if (workflow) {
    document.workflow = {
      conversation_variables: workflow.conversationVariables,
      environment_variables: workflow.environmentVariables,
      features: workflow.features,
      graph: workflow.graph,
    };
  } else {
    document.model_config = app.modelConfig;
  }
  return stringify(document);
}
