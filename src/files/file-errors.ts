/** The contract errors of the file routes (§3.2, §4.11, §4.12, §10.2), with Dify's exact texts. */
import { KilnError } from "../errors";

export const noFileUploaded = () => new KilnError("no_file_uploaded", 400, "Please upload your file.");
export const tooManyFiles = () => new KilnError("too_many_files", 400, "Only one file is allowed.");
export const unsupportedFileType = () => new KilnError("unsupported_file_type", 415, "File type not allowed.");
export const filenameNotExists = () =>
  new KilnError("filename_not_exists_error", 400, "The specified filename does not exist.");
/** §3.2: Dify's message keeps its unfilled placeholder, literally. */
export const fileTooLarge = () => new KilnError("file_too_large", 413, "File size exceeded. {message}");
export const fileNotFound = (message: string) => new KilnError("file_not_found", 404, message);
export const fileAccessDenied = (message: string) => new KilnError("file_access_denied", 403, message);
