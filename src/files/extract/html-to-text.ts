import { type HTMLElement, type Node, NodeType, parse } from "node-html-parser";
import { markdownTable } from "./markdown-table";

/** Elements whose content is never document text. */
const DROPPED = new Set(["script", "style", "noscript", "template", "head", "svg", "canvas", "iframe", "object", "button", "select"]);
/** Elements that end the running paragraph; everything else is inline. */
const BLOCKS = new Set([
  "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
  "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr", "html", "legend", "main",
  "nav", "ol", "p", "section", "summary", "ul",
]);
const HEADINGS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
/** Marks a `<br>` inside a paragraph so whitespace collapsing keeps it as a line break. */
const LINE_BREAK = "\uE000";

/**
 * Turns HTML (a web page, an EPUB chapter, mammoth's rendering of a DOCX) into readable
 * markdown-like text: one line per block, `#` headings, `-` list items, tables as markdown
 * tables, and no scripts, styles or markup.
 */
export function htmlToText(html: string): string {
  // The parser keeps XML declarations (EPUB chapters) and doctypes as text.
  const markup = html.replace(/<\?[\s\S]*?\?>/g, "").replace(/<!doctype[^>]*>/gi, "");
  // Listing only `pre` keeps preformatted text verbatim; script and style are skipped by the walk.
  const root = parse(markup, { blockTextElements: { pre: true }, lowerCaseTagName: true });
  return collectBlocks(root.childNodes).join("\n");
}

/** Renders a run of sibling nodes as blocks of text. */
function collectBlocks(nodes: readonly Node[]): string[] {
  const collector = { blocks: [] as string[], paragraph: "" };
  walk(nodes, collector);
  flushParagraph(collector);
  return collector.blocks;
}

interface BlockCollector {
  blocks: string[];
  /** Inline text gathered since the last block boundary, whitespace not yet collapsed. */
  paragraph: string;
}

function walk(nodes: readonly Node[], collector: BlockCollector): void {
  for (const node of nodes) {
    if (node.nodeType === NodeType.TEXT_NODE) {
      collector.paragraph += node.text;
      continue;
    }
    if (node.nodeType !== NodeType.ELEMENT_NODE) continue;
    const element = node as HTMLElement;
    const tag = element.localName;
    if (DROPPED.has(tag)) continue;
    if (tag === "br") {
      collector.paragraph += LINE_BREAK;
      continue;
    }
    const rendered = renderBlockElement(element, tag);
    if (rendered === undefined) {
      walk(element.childNodes, collector);
      continue;
    }
    flushParagraph(collector);
    collector.blocks.push(...rendered);
  }
}

function flushParagraph(collector: BlockCollector): void {
  const text = collapseWhitespace(collector.paragraph);
  if (text) collector.blocks.push(text);
  collector.paragraph = "";
}

/** The blocks of a block-level element, or undefined when the element is inline. */
function renderBlockElement(element: HTMLElement, tag: string): string[] | undefined {
  const level = HEADINGS[tag];
  if (level !== undefined) {
    const text = collectBlocks(element.childNodes).join(" ");
    return text ? [`${"#".repeat(level)} ${text}`] : [];
  }
  if (tag === "pre") {
    const text = element.text.replace(/^\n|\n+$/g, "");
    return text.trim() ? [text] : [];
  }
  if (tag === "li") return [listItem(element)];
  if (tag === "table") {
    const table = markdownTable(tableRows(element));
    return table ? [table] : [];
  }
  if (BLOCKS.has(tag)) return collectBlocks(element.childNodes);
  return undefined;
}

/** A list item's first block after `- `, its further blocks (nested lists) indented under it. */
function listItem(element: HTMLElement): string {
  const [first = "", ...rest] = collectBlocks(element.childNodes);
  return [`- ${first}`, ...rest.map((block) => block.replace(/^/gm, "  "))].join("\n");
}

/** The cell texts of a table's own rows, skipping rows of tables nested inside its cells. */
function tableRows(table: HTMLElement): string[][] {
  const rows: string[][] = [];
  const visit = (element: HTMLElement) => {
    for (const child of element.childNodes) {
      if (child.nodeType !== NodeType.ELEMENT_NODE) continue;
      const childElement = child as HTMLElement;
      const tag = childElement.localName;
      if (tag === "tr") rows.push(rowCells(childElement));
      else if (tag === "thead" || tag === "tbody" || tag === "tfoot") visit(childElement);
    }
  };
  visit(table);
  return rows;
}

function rowCells(row: HTMLElement): string[] {
  return row.childNodes
    .filter((child): child is HTMLElement => child.nodeType === NodeType.ELEMENT_NODE)
    .filter((cell) => cell.localName === "td" || cell.localName === "th")
    .map((cell) => collectBlocks(cell.childNodes).join("\n"));
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").replaceAll(` ${LINE_BREAK}`, LINE_BREAK).replaceAll(`${LINE_BREAK} `, LINE_BREAK).trim().replaceAll(LINE_BREAK, "\n");
}
