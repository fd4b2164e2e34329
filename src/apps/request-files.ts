/**
 * Files on generate requests (§5.1, §5.2): top-level `files` checked against the app's
 * `file_upload` feature (ignored when it is off), and file-typed inputs checked against their
 * form field. Both become §8.3 file records before the run starts, so a bad file is an
 * ordinary 400 rather than a failed run.
 */
import { fileUploadConfigOf } from "../files/file-upload-config";
import { resolveFileReferences, type KilnFile } from "../files/file-references";
import type { Services } from "../services";
import type { App } from "../store/schema";
import type { StartVariable } from "../workflow/nodes/start-inputs";

export async function resolveRequestFiles(services: Services, app: App, files: unknown, feature: unknown, strictType: boolean): Promise<KilnFile[]> {
  const config = fileUploadConfigOf(feature);
  if (!config || files === undefined || files === null) return [];
  return resolveFileReferences(services, app, files, config, { strictType });
}

/** Replaces file-typed input values by file records, leaving the rest for `prepareUserInputs`. */
export async function resolveFileInputs(
  services: Services,
  app: App,
  variables: StartVariable[],
  inputs: Record<string, unknown>,
  strictType: boolean,
): Promise<Record<string, unknown>> {
  const resolved = { ...inputs };
  for (const variable of variables) {
    if (variable.type !== "file" && variable.type !== "file-list") continue;
    const value = inputs[variable.variable];
    if (value === undefined || value === null || value === "") continue;
    const single = variable.type === "file";
    // A wrong shape is left as it is: prepareUserInputs answers it with Dify's message.
    if (single ? typeof value !== "object" || Array.isArray(value) : !Array.isArray(value)) continue;
    const config = fileUploadConfigOf({ ...variable, enabled: true, number_limits: single ? 1 : (variable.max_length ?? 0) });
    const files = await resolveFileReferences(services, app, single ? [value] : value, config, { strictType });
    resolved[variable.variable] = single ? (files[0] ?? null) : files;
  }
  return resolved;
}

/** Files as conversation and message `inputs` keep them: without the expiring signed `url` (§8.3). */
export function withoutUrls(inputs: Record<string, unknown>): Record<string, unknown> {
  const strip = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(strip) : isRecord(value) && value.dify_model_identity === "__dify__file__" ? { ...value, url: undefined } : value;
  return Object.fromEntries(Object.entries(inputs).map(([key, value]) => [key, strip(value)]));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
