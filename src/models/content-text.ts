import type { ContentPart } from "./types.ts";

/** The text of a message's content: the string itself, or its text parts joined (images dropped). */
export function contentText(content: string | ContentPart[]): string {
  if (typeof content === "string") return content;
  let text = "";
  for (const part of content) if (part.type === "text") text += part.text;
  return text;
}
