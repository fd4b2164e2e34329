/**
 * `answer` (§2.3, §1.7): renders its template in markdown form; `files` lists every file the
 * template references. Streaming of the same template is the response filter's job.
 */
import { isFile } from "../segments.ts";
import { renderMarkdown, resolvedSegments } from "../template.ts";
import type { NodeRunner } from "./node.ts";

export const answerNode: NodeRunner = {
  async run({ node, pool }) {
    const template = typeof node.data.answer === "string" ? node.data.answer : "";
    const files = resolvedSegments(template, pool).flatMap(({ segment }) => {
      if (segment.type === "file") return [segment.value];
      if (segment.type === "array[file]" || (Array.isArray(segment.value) && segment.value.every(isFile))) {
        return segment.value as unknown[];
      }
      return [];
    });
    return { outputs: { answer: renderMarkdown(template, pool), files } };
  },
};
