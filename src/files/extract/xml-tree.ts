import { XMLParser } from "fast-xml-parser";

/** One node of fast-xml-parser's order-preserving output: `{tag: children, ":@": attributes}` or `{"#text": text}`. */
export type XmlNode = Record<string, unknown>;

const ATTRIBUTES = ":@";
const TEXT = "#text";

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  // Document text must come out exactly as written: no trimming, no number parsing.
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
});

/** Parses an XML part of an Office or EPUB package, rejecting malformed markup. */
export function parseXml(xml: string): XmlNode[] {
  return parser.parse(xml, true) as XmlNode[];
}

/** The qualified tag name of an element node (`a:t`), or undefined for text nodes. */
export function tagName(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ATTRIBUTES && key !== TEXT);
}

export function childNodes(node: XmlNode): XmlNode[] {
  const tag = tagName(node);
  const children = tag === undefined ? undefined : node[tag];
  return Array.isArray(children) ? (children as XmlNode[]) : [];
}

export function attribute(node: XmlNode, name: string): string | undefined {
  const attributes = node[ATTRIBUTES];
  if (typeof attributes !== "object" || attributes === null) return undefined;
  const value = (attributes as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Every element named `name` under `nodes`, in document order. An unprefixed name also matches
 * prefixed tags (`item` finds `opf:item`), since packages may bind their namespace to a prefix.
 */
export function descendants(nodes: readonly XmlNode[], name: string): XmlNode[] {
  const found: XmlNode[] = [];
  const matches = (tag: string | undefined) =>
    tag !== undefined && (tag === name || (!name.includes(":") && tag.endsWith(`:${name}`)));
  const visit = (list: readonly XmlNode[]) => {
    for (const node of list) {
      if (matches(tagName(node))) found.push(node);
      visit(childNodes(node));
    }
  };
  visit(nodes);
  return found;
}

/** The concatenated character data under `nodes`. */
export function textContent(nodes: readonly XmlNode[]): string {
  let text = "";
  for (const node of nodes) {
    const value = node[TEXT];
    if (value !== undefined) text += String(value);
    else text += textContent(childNodes(node));
  }
  return text;
}

/** `key → value` attribute pairs of every `element` under `nodes` (relationship ids, manifest items). */
export function attributeMap(nodes: readonly XmlNode[], element: string, key: string, value: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const node of descendants(nodes, element)) {
    const keyValue = attribute(node, key);
    const valueValue = attribute(node, value);
    if (keyValue !== undefined && valueValue !== undefined) pairs.set(keyValue, valueValue);
  }
  return pairs;
}
