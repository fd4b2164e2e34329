/**
 * Kiln's settings. Each one has a default, an environment variable and a one-line doc, and the
 * serve-related ones a command-line flag; `kiln serve --help` prints this table. Precedence:
 * flag, then environment, then default. Model providers live in the `kiln.yaml` config file
 * (data folder, or `--config`), which is parsed here and handed to the model registry.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

interface SettingSpec<T> {
  env: string;
  flag?: string;
  default: T;
  doc: string;
  parse: (raw: string) => T;
}

const integer = (name: string) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
};
const string = (raw: string) => raw;

/** The table of settings. Keys are the names code reads (`settings.port`). */
export const settingSpecs = {
  host: { env: "KILN_HOST", flag: "--host", default: "127.0.0.1", doc: "address to listen on", parse: string },
  port: { env: "KILN_PORT", flag: "--port", default: 5001, doc: "port to listen on (0 picks a free one)", parse: integer("port") },
  dataDir: { env: "KILN_DATA_DIR", flag: "--data", default: "./data", doc: "data folder: database, uploaded files, caches", parse: string },
  configFile: { env: "KILN_CONFIG", flag: "--config", default: "", doc: "config file declaring model providers (default: <data>/kiln.yaml)", parse: string },
  publicUrl: { env: "KILN_PUBLIC_URL", default: "", doc: "base URL placed in signed file links (default: http://<host>:<port>)", parse: string },
  pingIntervalMs: { env: "KILN_PING_INTERVAL_MS", default: 10_000, doc: "SSE keep-alive ping interval in ms", parse: integer("ping interval") },
  keyCacheTtlMs: { env: "KILN_KEY_CACHE_TTL_MS", default: 2_000, doc: "how long an API key lookup is cached; a revoked key stops working after at most this", parse: integer("key cache TTL") },
  shutdownTimeoutMs: { env: "KILN_SHUTDOWN_TIMEOUT_MS", default: 10_000, doc: "how long shutdown waits for in-flight requests", parse: integer("shutdown timeout") },
  appMaxActiveRequests: { env: "APP_MAX_ACTIVE_REQUESTS", default: 0, doc: "global cap on concurrent generate requests per app (0 = unlimited)", parse: integer("APP_MAX_ACTIVE_REQUESTS") },
  appDefaultActiveRequests: { env: "APP_DEFAULT_ACTIVE_REQUESTS", default: 0, doc: "per-app concurrency limit for apps that set none (0 = unlimited)", parse: integer("APP_DEFAULT_ACTIVE_REQUESTS") },
  uploadImageSizeLimitMb: { env: "UPLOAD_IMAGE_FILE_SIZE_LIMIT", default: 10, doc: "largest image upload, in MB", parse: integer("UPLOAD_IMAGE_FILE_SIZE_LIMIT") },
  uploadVideoSizeLimitMb: { env: "UPLOAD_VIDEO_FILE_SIZE_LIMIT", default: 100, doc: "largest video upload, in MB", parse: integer("UPLOAD_VIDEO_FILE_SIZE_LIMIT") },
  uploadAudioSizeLimitMb: { env: "UPLOAD_AUDIO_FILE_SIZE_LIMIT", default: 50, doc: "largest audio upload, in MB", parse: integer("UPLOAD_AUDIO_FILE_SIZE_LIMIT") },
  uploadFileSizeLimitMb: { env: "UPLOAD_FILE_SIZE_LIMIT", default: 15, doc: "largest document or other upload, in MB", parse: integer("UPLOAD_FILE_SIZE_LIMIT") },
  workflowFileUploadLimit: { env: "WORKFLOW_FILE_UPLOAD_LIMIT", default: 10, doc: "files one workflow request may carry (reported in /parameters)", parse: integer("WORKFLOW_FILE_UPLOAD_LIMIT") },
  filesAccessTimeoutSec: { env: "FILES_ACCESS_TIMEOUT", default: 300, doc: "seconds a signed file link stays valid", parse: integer("FILES_ACCESS_TIMEOUT") },
  uploadExtensionBlacklist: { env: "UPLOAD_FILE_EXTENSION_BLACKLIST", default: "", doc: "comma-separated file extensions refused at upload", parse: string },
  allowPrivateRemoteFiles: { env: "KILN_ALLOW_PRIVATE_REMOTE_FILES", default: "", doc: "remote file URLs may reach private addresses: true, or a comma list of CIDR ranges", parse: string },
  remoteFileTimeoutMs: { env: "KILN_REMOTE_FILE_TIMEOUT_MS", default: 30_000, doc: "ms allowed to download one remote file", parse: integer("KILN_REMOTE_FILE_TIMEOUT_MS") },
  workflowMaxSteps: { env: "WORKFLOW_MAX_EXECUTION_STEPS", default: 500, doc: "node starts allowed in one workflow run", parse: integer("WORKFLOW_MAX_EXECUTION_STEPS") },
  workflowMaxTimeSec: { env: "WORKFLOW_MAX_EXECUTION_TIME", default: 1200, doc: "seconds one workflow run may take", parse: integer("WORKFLOW_MAX_EXECUTION_TIME") },
  sandboxWorkers: { env: "KILN_SANDBOX_WORKERS", default: 2, doc: "worker threads running code and template nodes", parse: integer("KILN_SANDBOX_WORKERS") },
  modelOverride: { env: "KILN_MODEL_OVERRIDE", default: "", doc: "PROVIDER/MODEL that every model call of every app is sent to (e.g. builtin/echo)", parse: string },
  openaiBaseUrl: { env: "OPENAI_BASE_URL", default: "", doc: "base URL of the OpenAI-compatible provider `openai`", parse: string },
  openaiApiKey: { env: "OPENAI_API_KEY", default: "", doc: "API key of the provider `openai` (never logged)", parse: string },
} satisfies Record<string, SettingSpec<string> | SettingSpec<number>>;

type Specs = typeof settingSpecs;
export type Settings = { [K in keyof Specs]: Specs[K]["default"] } & {
  /** The parsed config file (empty when there is none). */
  file: KilnFileConfig;
  /** The environment the settings were read from, for providers' `api_key_env` references. */
  env: Record<string, string | undefined>;
};

/** The shape of `kiln.yaml`. Sections are validated by the subsystem that owns them. */
export interface KilnFileConfig {
  providers?: unknown;
}

export class SettingsError extends Error {}

/**
 * Builds settings from parsed flags and the environment, then reads the config file.
 * `flags` maps a flag (`--port`) to its raw value.
 */
export function loadSettings(flags: Record<string, string>, env: Record<string, string | undefined> = process.env): Settings {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(settingSpecs) as [string, SettingSpec<unknown>][]) {
    const raw = (spec.flag ? flags[spec.flag] : undefined) ?? env[spec.env];
    try {
      values[key] = raw === undefined || raw === "" ? spec.default : spec.parse(raw);
    } catch (error) {
      throw new SettingsError((error as Error).message);
    }
  }
  const settings = values as Settings;
  settings.dataDir = resolve(settings.dataDir);
  settings.env = env;
  settings.file = readConfigFile(settings.configFile || join(settings.dataDir, "kiln.yaml"), Boolean(settings.configFile));
  return settings;
}

function readConfigFile(path: string, required: boolean): KilnFileConfig {
  if (!existsSync(path)) {
    if (required) throw new SettingsError(`config file not found: ${path}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SettingsError(`config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new SettingsError(`config file ${path} must be a YAML mapping`);
  return parsed as KilnFileConfig;
}

/** The `--help` text for the settings: flag, environment variable, default and doc. */
export function describeSettings(): string {
  return Object.values(settingSpecs as Record<string, SettingSpec<unknown>>)
    .map((spec) => {
      const names = [spec.flag, spec.env].filter(Boolean).join(", ");
      const shown = spec.default === "" ? "unset" : String(spec.default);
      return `  ${names.padEnd(44)} ${spec.doc} (default: ${shown})`;
    })
    .join("\n");
}
