/**
 * `/meta`'s `tool_icons` (§4.25): one entry per tool the app uses, from the workflow's `tool`
 * nodes or the agent config's `tools`. Built-in tools point at Dify's icon route under the
 * server's public URL; API tools carry their stored icon or Dify's fallback emoji.
 */
import type { App, Workflow } from "../store/schema";

type Json = Record<string, unknown>;
const API_TOOL_FALLBACK_ICON = { background: "#252525", content: "😁" };

export function toolIcons(app: App, workflow: Workflow | undefined, publicUrl: string): Record<string, unknown> {
  const tools: Json[] = [];
  if (workflow) {
    for (const node of (workflow.graph.nodes as Json[] | undefined) ?? []) {
      const data = node.data as Json | undefined;
      if (data?.type === "tool") tools.push(data);
    }
  } else {
    const agentMode = app.modelConfig?.agent_mode as Json | undefined;
    for (const tool of (agentMode?.tools as Json[] | undefined) ?? []) tools.push(tool);
  }
  const icons: Record<string, unknown> = {};
  for (const tool of tools) {
    const name = tool.tool_name;
    if (typeof name !== "string") continue;
    if (tool.provider_type === "builtin" || tool.provider_type === "plugin") {
      icons[name] = `${publicUrl}/console/api/workspaces/current/tool-provider/builtin/${String(tool.provider_id ?? tool.provider_name)}/icon`;
    } else if (tool.provider_type === "api") {
      icons[name] = typeof tool.icon === "object" && tool.icon !== null ? tool.icon : API_TOOL_FALLBACK_ICON;
    }
  }
  return icons;
}
