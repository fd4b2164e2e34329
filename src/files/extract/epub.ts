import { posix } from "node:path";
import { BrokenDocument } from "./extraction-error";
import { htmlToText } from "./html-to-text";
import { attribute, attributeMap, descendants, parseXml } from "./xml-tree";
import { openZip, readZipText } from "./zip-archive";

const LABEL = "EPUB";

/**
 * The text of an EPUB book: the chapters listed in the package's reading order (its spine),
 * each rendered like an HTML page, chapters separated by a blank line.
 */
export async function extractEpub(bytes: Uint8Array): Promise<string> {
  const zip = await openZip(bytes, LABEL);
  const container = parseXml(await readZipText(zip, "META-INF/container.xml", LABEL));
  const packagePath = descendants(container, "rootfile")
    .map((rootfile) => attribute(rootfile, "full-path"))
    .find((path) => path !== undefined);
  if (packagePath === undefined) throw new BrokenDocument(`the file is not a valid ${LABEL} file (no package document)`);
  const packageDocument = parseXml(await readZipText(zip, packagePath, LABEL));
  const hrefs = attributeMap(packageDocument, "item", "id", "href");
  const chapters: string[] = [];
  for (const itemref of descendants(packageDocument, "itemref")) {
    const href = hrefs.get(attribute(itemref, "idref") ?? "");
    if (href === undefined) continue;
    const chapterPath = posix.normalize(posix.join(posix.dirname(packagePath), decodeURIComponent(href.split("#")[0] ?? "")));
    const text = htmlToText(await readZipText(zip, chapterPath.replace(/^\//, ""), LABEL));
    if (text) chapters.push(text);
  }
  return chapters.join("\n\n");
}
