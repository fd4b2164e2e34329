/** App description routes (§4.24–§4.27): `/parameters`, `/meta`, `/info`, `/site`. */
import { Elysia } from "elysia";
import { appParameters } from "../../apps/app-parameters";
import { toolIcons } from "../../apps/tool-icons";
import { appUnavailable } from "../../errors";
import { findPublishedWorkflow } from "../../store/apps";
import type { Services } from "../../services";
import { apiKeyGuard } from "../api-key-guard";
import { jsonResponse } from "../json-response";

export const appInfoRoutes = (services: Services) =>
  new Elysia({ prefix: "/v1" })
    .use(apiKeyGuard(services))
    .get("/parameters", ({ app }) => {
      const workflow = findPublishedWorkflow(services.db, app);
      const usesWorkflow = app.mode === "workflow" || app.mode === "advanced-chat";
      if (usesWorkflow ? !workflow : !app.modelConfig) throw appUnavailable();
      return jsonResponse(appParameters(app, workflow, services.settings));
    })
    .get("/meta", ({ app }) =>
      jsonResponse({ tool_icons: toolIcons(app, findPublishedWorkflow(services.db, app), services.publicUrl) }),
    )
    .get("/info", ({ app }) =>
      jsonResponse({ name: app.name, description: app.description, tags: app.tags, mode: app.mode, author_name: app.authorName }),
    )
    // Kiln keeps no separate web-app "site" record: the app's own name and icon describe it.
    .get("/site", ({ app }) =>
      jsonResponse({
        title: app.name,
        chat_color_theme: null,
        chat_color_theme_inverted: false,
        icon_type: app.iconType,
        icon: app.icon,
        icon_background: app.iconBackground,
        description: app.description || null,
        copyright: null,
        privacy_policy: null,
        custom_disclaimer: "",
        default_language: "en-US",
        show_workflow_steps: true,
        use_icon_as_answer_icon: app.useIconAsAnswerIcon,
        icon_url: null,
      }),
    );
