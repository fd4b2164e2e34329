/**
 * The one error type of Kiln. Every failure a client can see carries a contract code from
 * `service-api.md` §3.2 and an HTTP status; the HTTP layer turns it into `{code, message, status}`
 * and the SSE layer into an `error` event. Code below the HTTP layer (models, workflow, files)
 * throws these too, so the mapping lives in one place.
 */
export class KilnError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra response headers, e.g. `WWW-Authenticate` on 401s. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "KilnError";
  }
}

/** 400 `invalid_param`: Dify's mapping for every uncaught ValueError (§3.1 rule 3). */
export const invalidParam = (message: string) => new KilnError("invalid_param", 400, message);
export const badRequest = (message: string) => new KilnError("bad_request", 400, message);
export const notFound = (message: string) => new KilnError("not_found", 404, message);
export const forbidden = (message: string) => new KilnError("forbidden", 403, message);
export const unauthorized = (message: string) =>
  new KilnError("unauthorized", 401, message, { "WWW-Authenticate": 'Bearer realm="api"' });

export const appUnavailable = () =>
  new KilnError("app_unavailable", 400, "App unavailable, please check your app configurations.");
export const notChatApp = () =>
  new KilnError("not_chat_app", 400, "Please check if your app mode matches the right API route.");
export const notWorkflowApp = () =>
  new KilnError("not_workflow_app", 400, "Please check if your app mode matches the right API route.");

/** Model-layer failures (§3.2, §7.9). `message` is the provider's own description when it has one. */
export const providerNotInitialize = (message?: string) =>
  new KilnError(
    "provider_not_initialize",
    400,
    message ??
      "No valid model provider credentials found. Please go to Settings -> Model Provider to complete your provider credentials.",
  );
export const providerQuotaExceeded = (message?: string) =>
  new KilnError(
    "provider_quota_exceeded",
    400,
    message ??
      "Your quota for Dify Hosted Model Provider has been exhausted. Please go to Settings -> Model Provider to complete your own provider credentials.",
  );
export const modelCurrentlyNotSupport = (message?: string) =>
  new KilnError("model_currently_not_support", 400, message ?? "Model currently not supported.");
export const completionRequestError = (message?: string) =>
  new KilnError("completion_request_error", 400, message ?? "Completion request failed.");
