/**
 * Builds real documents for the extraction tests with independent writers (pdf-lib, docx,
 * write-excel-file) or, for PPTX and EPUB where no writer fits, a JSZip-assembled minimal package.
 */
import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from "docx";
import JSZip from "jszip";
import { PDFDocument, StandardFonts } from "pdf-lib";
import writeExcelFile from "write-excel-file/node";

/** A PDF whose page `i` shows the lines `pages[i]`, top to bottom, in Helvetica (WinAnsi text only). */
export async function makePdf(pages: readonly (readonly string[])[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, index) => page.drawText(line, { x: 50, y: 780 - index * 18, size: 12, font }));
  }
  return pdf.save();
}

export type DocxBlock = { heading: string } | { paragraph: string } | { table: string[][] };

/** A Word document with the given headings, paragraphs and tables in order. */
export async function makeDocx(blocks: readonly DocxBlock[]): Promise<Uint8Array> {
  const children = blocks.map((block) => {
    if ("heading" in block) return new Paragraph({ text: block.heading, heading: HeadingLevel.HEADING_1 });
    if ("paragraph" in block) return new Paragraph({ children: [new TextRun(block.paragraph)] });
    return new Table({
      rows: block.table.map(
        (row) => new TableRow({ children: row.map((cell) => new TableCell({ children: cell.split("\n").map((line) => new Paragraph(line)) })) }),
      ),
    });
  });
  return new Uint8Array(await Packer.toBuffer(new Document({ sections: [{ children }] })));
}

export type SheetCell = string | number | boolean | Date | null;

/** A workbook with the given sheets, in order. */
export async function makeXlsx(sheets: readonly { name: string; rows: SheetCell[][] }[]): Promise<Uint8Array> {
  const buffer = await writeExcelFile(sheets.map((sheet) => ({ sheet: sheet.name, data: sheet.rows, dateFormat: "yyyy-mm-dd" }))).toBuffer();
  return new Uint8Array(buffer);
}

const PRESENTATION_NS =
  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"';

/**
 * A minimal PowerPoint package. `slides[i]` is the paragraphs of the i-th slide in presentation
 * order; the parts are stored under reversed file names (the first slide is the highest
 * `slideN.xml`) so reading in archive order would give the wrong order.
 */
export async function makePptx(slides: readonly (readonly string[])[]): Promise<Uint8Array> {
  const zip = new JSZip();
  const fileNumber = (index: number) => slides.length - index;
  zip.file(
    "[Content_Types].xml",
    `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>${slides
      .map((_, index) => `<Override PartName="/ppt/slides/slide${fileNumber(index)}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>`)
      .join("")}</Types>`,
  );
  zip.file(
    "_rels/.rels",
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/></Relationships>`,
  );
  zip.file(
    "ppt/presentation.xml",
    `<?xml version="1.0" encoding="UTF-8"?><p:presentation ${PRESENTATION_NS}><p:sldIdLst>${slides
      .map((_, index) => `<p:sldId id="${256 + index}" r:id="rId${index + 10}"/>`)
      .join("")}</p:sldIdLst></p:presentation>`,
  );
  zip.file(
    "ppt/_rels/presentation.xml.rels",
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${slides
      .map((_, index) => `<Relationship Id="rId${index + 10}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide${fileNumber(index)}.xml"/>`)
      .join("")}</Relationships>`,
  );
  slides.forEach((paragraphs, index) => {
    const body = paragraphs.map((text) => `<a:p><a:r><a:rPr lang="en-US"/><a:t>${escapeXml(text)}</a:t></a:r></a:p>`).join("");
    zip.file(
      `ppt/slides/slide${fileNumber(index)}.xml`,
      `<?xml version="1.0" encoding="UTF-8"?><p:sld ${PRESENTATION_NS}><p:cSld><p:spTree><p:sp><p:txBody><a:bodyPr/>${body}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>`,
    );
  });
  return zip.generateAsync({ type: "uint8array" });
}

/**
 * A minimal EPUB 3 book. `chapters[i]` is the XHTML body of the i-th chapter in reading order;
 * the manifest lists them in reverse so only the spine gives the right order.
 */
export async function makeEpub(chapters: readonly string[]): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file("mimetype", "application/epub+zip");
  zip.file(
    "META-INF/container.xml",
    `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`,
  );
  const items = chapters
    .map((_, index) => `<item id="ch${index + 1}" href="text/chapter%20${index + 1}.xhtml" media-type="application/xhtml+xml"/>`)
    .reverse()
    .join("");
  const spine = chapters.map((_, index) => `<itemref idref="ch${index + 1}"/>`).join("");
  zip.file(
    "OEBPS/content.opf",
    `<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">test-book</dc:identifier><dc:title>Test</dc:title><dc:language>en</dc:language></metadata><manifest>${items}</manifest><spine>${spine}</spine></package>`,
  );
  chapters.forEach((body, index) => {
    zip.file(
      `OEBPS/text/chapter ${index + 1}.xhtml`,
      `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter ${index + 1}</title></head><body>${body}</body></html>`,
    );
  });
  return zip.generateAsync({ type: "uint8array" });
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
