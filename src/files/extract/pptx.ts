import { posix } from "node:path";
import { BrokenDocument } from "./extraction-error";
import { attribute, childNodes, descendants, parseXml, tagName, textContent, type XmlNode } from "./xml-tree";
import { openZip, readZipText } from "./zip-archive";

const LABEL = "PPTX";

/**
 * The text of a PowerPoint deck: slides in presentation order (not archive order), each slide's
 * paragraphs one per line, slides separated by a blank line. Speaker notes are left out, as in
 * Dify's local partitioning.
 */
export async function extractPptx(bytes: Uint8Array): Promise<string> {
  const zip = await openZip(bytes, LABEL);
  const presentation = parseXml(await readZipText(zip, "ppt/presentation.xml", LABEL));
  const relationships = relationshipTargets(parseXml(await readZipText(zip, "ppt/_rels/presentation.xml.rels", LABEL)));
  const slides: string[] = [];
  for (const slideId of descendants(presentation, "p:sldId")) {
    const relationshipId = attribute(slideId, "r:id");
    const target = relationshipId === undefined ? undefined : relationships.get(relationshipId);
    if (target === undefined) throw new BrokenDocument(`the file is not a valid ${LABEL} (slide ${relationshipId} has no part)`);
    const slidePath = posix.normalize(posix.join("ppt", target)).replace(/^\//, "");
    const text = slideText(parseXml(await readZipText(zip, slidePath, LABEL)));
    if (text) slides.push(text);
  }
  return slides.join("\n\n");
}

/** Relationship id → target path, from a `.rels` part. */
function relationshipTargets(rels: XmlNode[]): Map<string, string> {
  const targets = new Map<string, string>();
  for (const relationship of descendants(rels, "Relationship")) {
    const id = attribute(relationship, "Id");
    const target = attribute(relationship, "Target");
    if (id !== undefined && target !== undefined) targets.set(id, target);
  }
  return targets;
}

/** A slide's DrawingML paragraphs (text boxes, placeholders, table cells) in shape order. */
function slideText(slide: XmlNode[]): string {
  return descendants(slide, "a:p")
    .map((paragraph) => paragraphText(childNodes(paragraph)).trim())
    .filter((line) => line !== "")
    .join("\n");
}

function paragraphText(nodes: readonly XmlNode[]): string {
  let text = "";
  for (const node of nodes) {
    const tag = tagName(node);
    if (tag === "a:t") text += textContent(childNodes(node));
    else if (tag === "a:br") text += "\n";
    else if (tag === "a:r" || tag === "a:fld") text += paragraphText(childNodes(node));
  }
  return text;
}
