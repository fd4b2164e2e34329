/**
 * Why a sandbox run failed. The workflow engine turns these into a FAILED code or
 * template-transform node whose `error` is the message; `kind` lets it tell a user's bug
 * (`code`) from a limit the user hit (`timeout`, `memory`) or an infrastructure fault (`crashed`).
 */
export type SandboxErrorKind = "code" | "invalid_input" | "invalid_result" | "timeout" | "memory" | "crashed" | "aborted" | "closed";

/** A failed sandbox run; `message` is meant for the node's `error` field as is. */
export class SandboxError extends Error {
  constructor(
    readonly kind: SandboxErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "SandboxError";
  }
}
