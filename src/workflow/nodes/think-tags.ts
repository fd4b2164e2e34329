/**
 * `<think>…</think>` handling for LLM output (§2.4 `reasoning_format`). Reasoning models put
 * their thoughts inside these tags; `separated` mode moves them to `reasoning_content`, also
 * while streaming, where a tag may be split across chunks.
 */

const OPEN = "<think>";
const CLOSE = "</think>";

/** Splits full text into the text outside think blocks and the reasoning inside them. */
export function splitThinkTags(text: string): { text: string; reasoning: string } {
  const reasoning: string[] = [];
  const visible = text.replace(/<think>([\s\S]*?)(?:<\/think>|$)/g, (_match, inner: string) => {
    reasoning.push(inner.trim());
    return "";
  });
  return { text: visible.replace(/^\s+/, ""), reasoning: reasoning.join("\n") };
}

/** Routes streamed text to `onText` / `onReasoning`, holding back a possibly split tag. */
export class ThinkTagStream {
  private pending = "";
  private inside = false;
  private sawVisible = false;

  constructor(
    private readonly onText: (text: string) => void,
    private readonly onReasoning: (text: string) => void,
  ) {}

  push(chunk: string): void {
    this.pending += chunk;
    for (;;) {
      const tag = this.inside ? CLOSE : OPEN;
      const at = this.pending.indexOf(tag);
      if (at >= 0) {
        this.send(this.pending.slice(0, at));
        this.pending = this.pending.slice(at + tag.length);
        this.inside = !this.inside;
        continue;
      }
      // Keep the longest suffix that could still become the tag.
      let keep = 0;
      for (let length = Math.min(tag.length - 1, this.pending.length); length > 0; length -= 1) {
        if (tag.startsWith(this.pending.slice(-length))) {
          keep = length;
          break;
        }
      }
      this.send(this.pending.slice(0, this.pending.length - keep));
      this.pending = this.pending.slice(this.pending.length - keep);
      return;
    }
  }

  end(): void {
    this.send(this.pending);
    this.pending = "";
  }

  private send(text: string): void {
    if (text === "") return;
    if (this.inside) return this.onReasoning(text);
    // Mirror splitThinkTags: whitespace after a leading think block is not shown.
    const shown = this.sawVisible ? text : text.replace(/^\s+/, "");
    if (shown === "") return;
    this.sawVisible = true;
    this.onText(shown);
  }
}
