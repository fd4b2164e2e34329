import mammoth from "mammoth";
import { htmlToText } from "./html-to-text";
import { openZip } from "./zip-archive";

/**
 * The text of a Word document: one line per paragraph, headings and list items marked, tables
 * as markdown tables (§2.17). mammoth renders the document as semantic HTML, which keeps
 * paragraphs and tables in document order; images are left out.
 */
export async function extractDocx(bytes: Uint8Array): Promise<string> {
  // Checking the container first turns "not a ZIP" into a clear reason instead of a JSZip message.
  await openZip(bytes, "DOCX");
  const { value: html } = await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes) },
    { convertImage: mammoth.images.imgElement(async () => ({ src: "" })) },
  );
  return htmlToText(html);
}
