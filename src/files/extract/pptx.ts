import { posix } from "node:path";
import { BrokenDocument } from "./extraction-error";
import { attribute, attributeMap, childNodes, descendants, parseXml, tagName, textContent, type XmlNode } from "./xml-tree";
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
  const relationshipsXml = await readZipText(zip, "ppt/_rels/presentation.xml.rels", LABEL);
  const relationships = attributeMap(parseXml(relationshipsXml), "Relationship", "Id", "Target");
  const slides: string[] = [];
  for (const slideId of descendants(presentation, "p:sldId")) {
    const relationshipId = attribute(slideId, "r:id");
    const target = relationshipId === undefined ? undefined : relationships.get(relationshipId);
    if (target === undefined) throw new BrokenDocument(`the file is not a valid ${LABEL} file (slide ${relationshipId} has no part)`);
    // Targets are relative to ppt/ unless they start at the package root.
    const slidePath = target.startsWith("/") ? target.slice(1) : posix.normalize(posix.join("ppt", target));
    const text = slideText(parseXml(await readZipText(zip, slidePath, LABEL)));
    if (text) slides.push(text);
  }
  return slides.join("\n\n");
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
