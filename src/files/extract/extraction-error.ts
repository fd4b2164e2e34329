import { invalidParam, type KilnError } from "../../errors";

/**
 * The error for a document that cannot be read: §2.17 fails the node with this message, and the
 * chat file context reports it as a 400 `invalid_param`. The message names the file and the
 * reason so a user can tell which upload is at fault.
 */
export const documentUnreadable = (filename: string, reason: string): KilnError =>
  invalidParam(`Failed to extract text from ${filename}: ${reason}`);

/** The error for a file whose type has no extractor (Dify: "Unsupported Extension Type"). */
export const documentTypeUnsupported = (filename: string, kind: string): KilnError =>
  invalidParam(`Unsupported document type for ${filename}: ${kind}`);

/** Thrown inside an extractor to report a reason the caller words into `documentUnreadable`. */
export class BrokenDocument extends Error {
  override name = "BrokenDocument";
}
