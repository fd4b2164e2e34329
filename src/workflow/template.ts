/**
 * Dify's `{{#node.var#}}` templates (§1.9). A template splits into literal text and variable
 * parts; a variable that the pool cannot resolve renders as its own path (`abc.x`), a quirk
 * copied from Dify. Consumers choose the `.text` or `.markdown` rendering.
 */
import { segmentMarkdown, segmentText, type Segment } from "./segments.ts";
import type { Selector, VariablePool } from "./variable-pool.ts";

/** graphon's `VARIABLE_PATTERN`, exactly: node ids cannot contain `-`, at most 10 name parts. */
export const VARIABLE_PATTERN = /\{\{#([a-zA-Z0-9_]{1,50}(?:\.[a-zA-Z_][a-zA-Z0-9_]{0,29}){1,10})#\}\}/g;

export type TemplatePart = { kind: "text"; text: string } | { kind: "variable"; selector: string[]; raw: string };

/** Splits a template into literal text and variable references, in order. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(VARIABLE_PATTERN)) {
    if (match.index > last) parts.push({ kind: "text", text: template.slice(last, match.index) });
    parts.push({ kind: "variable", selector: match[1]!.split("."), raw: match[1]! });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: "text", text: template.slice(last) });
  return parts;
}

/** Every selector a template references, in order (duplicates kept). */
export function templateSelectors(template: string): string[][] {
  return parseTemplate(template).flatMap((part) => (part.kind === "variable" ? [part.selector] : []));
}

type Rendering = (segment: Segment) => string;

function render(template: string, pool: VariablePool, rendering: Rendering): string {
  let out = "";
  for (const part of parseTemplate(template)) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const segment = pool.get(part.selector);
    out += segment ? rendering(segment) : part.raw;
  }
  return out;
}

/** The `.text` rendering: prompts, HTTP values, if-else expected values. */
export function renderText(template: string, pool: VariablePool): string {
  return render(template, pool, segmentText);
}

/** The `.markdown` rendering: Answer nodes. */
export function renderMarkdown(template: string, pool: VariablePool): string {
  return render(template, pool, segmentMarkdown);
}

/** The segments a template references that resolve (files referenced by an Answer, etc.). */
export function resolvedSegments(template: string, pool: VariablePool): Array<{ selector: Selector; segment: Segment }> {
  return templateSelectors(template).flatMap((selector) => {
    const segment = pool.get(selector);
    return segment ? [{ selector, segment }] : [];
  });
}
