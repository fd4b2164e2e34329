/**
 * An app's `file_upload` feature (from `model_config` or the workflow's features) as the rules
 * that file references are checked against (§5.2). Both shapes Dify writes are read: the current
 * one (`enabled`, `allowed_file_types`, `allowed_file_extensions`, `allowed_file_upload_methods`,
 * `number_limits`) and the older image-only one (`image: {enabled, number_limits,
 * transfer_methods}`).
 */
import { FILE_TYPES, type FileType } from "./file-types";

export type TransferMethod = "local_file" | "remote_url" | "tool_file" | "datasource_file";

export interface FileUploadConfig {
  /** Image-specific limits: the count of image files and the methods images may use. */
  image: { numberLimits: number; transferMethods: string[]; detail: "low" | "high" };
  /** Empty means every type. */
  allowedFileTypes: FileType[];
  /** With the dot, lowercased; the extensions a `custom` file may have. */
  allowedFileExtensions: string[];
  /** Empty means every method. */
  allowedFileUploadMethods: string[];
  /** 0 means no limit. */
  numberLimits: number;
}

type Json = Record<string, unknown>;

const mapping = (value: unknown): Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item) => typeof item === "string") : []);
function count(value: unknown, fallback: number): number {
  const number = typeof value === "number" || typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isInteger(number) && number >= 0 ? number : fallback;
}

/** The rules of an enabled feature; undefined when file upload is off (files are then ignored). */
export function fileUploadConfigOf(feature: unknown): FileUploadConfig | undefined {
  const config = mapping(feature);
  const image = mapping(config.image);
  const detail = image.detail === "low" ? "low" : "high";
  if (config.enabled === true) {
    const methods = strings(config.allowed_file_upload_methods);
    const numberLimits = count(config.number_limits, 0);
    return {
      // Dify derives the image limits from the general ones once the general shape is in use.
      image: { numberLimits: numberLimits || count(image.number_limits, 1), transferMethods: methods, detail },
      allowedFileTypes: strings(config.allowed_file_types).filter((type): type is FileType => FILE_TYPES.includes(type as FileType)),
      allowedFileExtensions: strings(config.allowed_file_extensions).map((extension) => extension.toLowerCase()),
      allowedFileUploadMethods: methods,
      numberLimits,
    };
  }
  if (config.enabled === undefined && image.enabled === true) {
    const methods = strings(image.transfer_methods);
    const numberLimits = count(image.number_limits, 1);
    return {
      image: { numberLimits, transferMethods: methods, detail },
      allowedFileTypes: ["image"],
      allowedFileExtensions: [],
      allowedFileUploadMethods: methods,
      numberLimits,
    };
  }
  return undefined;
}
