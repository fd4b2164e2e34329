import { BrokenDocument } from "./extraction-error";

interface Utterance {
  speaker: string | undefined;
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", nbsp: "\u00a0", lrm: "\u200e", rlm: "\u200f" };

/**
 * A WebVTT subtitle file as a transcript: timings, cue ids and NOTE/STYLE/REGION blocks are
 * dropped, consecutive cues of the same `<v Speaker>` are merged, and each utterance becomes one
 * `Speaker "text"` line (Dify's transcript shape).
 */
export function vttTranscript(text: string): string {
  const blocks = text.replace(/\r\n?/g, "\n").split(/\n{2,}/);
  if (!/^WEBVTT(?:[ \t]|$)/.test(blocks[0] ?? "")) {
    throw new BrokenDocument("the file is not a WebVTT file (it does not start with WEBVTT)");
  }
  const utterances: Utterance[] = [];
  for (const block of blocks.slice(1)) {
    const lines = block.split("\n");
    const timing = lines.findIndex((line) => line.includes("-->"));
    if (timing === -1) continue;
    const cue = parseCue(lines.slice(timing + 1).join("\n"));
    if (cue.text === "") continue;
    const previous = utterances.at(-1);
    if (previous !== undefined && cue.speaker !== undefined && previous.speaker === cue.speaker) {
      previous.text += ` ${cue.text}`;
    } else {
      utterances.push(cue);
    }
  }
  return utterances.map(({ speaker, text }) => (speaker ? `${speaker} "${text}"` : `"${text}"`)).join("\n");
}

function parseCue(payload: string): Utterance {
  const voice = /<v(?:\.[^\s>]*)?\s+([^>]+)>/.exec(payload);
  const text = payload
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|nbsp|lrm|rlm);/g, (_, name: string) => ENTITIES[name] ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
  return { speaker: voice?.[1]?.trim(), text };
}
