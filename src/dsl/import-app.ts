/**
 * Stores a parsed DSL as a new app: the app row, its published workflow version (workflow and
 * advanced-chat modes) and a first API key, all in one transaction so a failure leaves nothing
 * half-imported.
 */
import { createApiKey } from "../store/api-keys";
import { publishVersionName } from "../store/apps";
import { nowMicros } from "../store/clock";
import type { Db } from "../store/database";
import { apps, workflows, type App } from "../store/schema";
import type { AppDefinition } from "./parse-dsl";

export interface ImportedApp {
  app: App;
  apiKey: string;
}

export function importApp(db: Db, definition: AppDefinition): ImportedApp {
  return db.transaction((tx) => {
    const now = nowMicros();
    const appId = crypto.randomUUID();
    const workflowId = definition.workflow ? crypto.randomUUID() : null;
    const app = tx
      .insert(apps)
      .values({
        id: appId,
        name: definition.name,
        mode: definition.mode,
        description: definition.description,
        icon: definition.icon,
        iconType: definition.iconType,
        iconBackground: definition.iconBackground,
        useIconAsAnswerIcon: definition.useIconAsAnswerIcon,
        modelConfig: definition.modelConfig,
        workflowId,
        dslVersion: definition.dslVersion,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
    if (definition.workflow && workflowId) {
      tx.insert(workflows)
        .values({
          id: workflowId,
          appId,
          type: definition.mode === "workflow" ? "workflow" : "chat",
          version: publishVersionName(now),
          graph: definition.workflow.graph,
          features: definition.workflow.features,
          environmentVariables: definition.workflow.environmentVariables,
          conversationVariables: definition.workflow.conversationVariables,
          createdAt: now,
        })
        .run();
    }
    const apiKey = createApiKey(tx as unknown as Db, appId);
    return { app, apiKey };
  });
}
