import { parseAllDocuments, stringify } from "yaml";
import { BrokenDocument } from "./extraction-error";

/** A JSON document pretty-printed with two-space indentation, as Dify does (non-ASCII kept). */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (error) {
    throw new BrokenDocument(`the file is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * A YAML stream re-serialised document by document, as Dify's load-and-dump does: the result is
 * normalised YAML and a syntax error is reported rather than passed on as text.
 */
export function normalizedYaml(text: string): string {
  const dumped: string[] = [];
  for (const document of parseAllDocuments(text)) {
    const [error] = document.errors;
    if (error !== undefined) throw new BrokenDocument(`the file is not valid YAML (${error.message})`);
    dumped.push(stringify(document.toJS()));
  }
  return dumped.join("---\n");
}
