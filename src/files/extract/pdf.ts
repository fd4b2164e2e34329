import { extractText as extractPdfPages, getDocumentProxy } from "unpdf";

/**
 * The text of a PDF, page by page, pages separated by a blank line. unpdf ships a build of
 * Mozilla's pdf.js that runs without a worker thread, so it works the same in a compiled binary.
 */
export async function extractPdf(bytes: Uint8Array): Promise<string> {
  // pdf.js takes ownership of the buffer it is given, so it gets a copy.
  const document = await getDocumentProxy(bytes.slice(), {
    // Fonts never need to be rendered, and no font program may be compiled to JavaScript.
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    // pdf.js prints recoverable-structure warnings to the console; failures still throw.
    verbosity: 0,
  });
  try {
    const { text } = await extractPdfPages(document, { mergePages: false });
    return text.map((page) => page.trim()).join("\n\n");
  } finally {
    await document.destroy();
  }
}
