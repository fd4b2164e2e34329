import JSZip from "jszip";
import { BrokenDocument } from "./extraction-error";

/**
 * Opens the ZIP container of an Office or EPUB document, reporting a file that is not a ZIP
 * archive as such (a PNG renamed `.docx`, a truncated download).
 */
export async function openZip(bytes: Uint8Array, formatLabel: string): Promise<JSZip> {
  try {
    return await JSZip.loadAsync(bytes);
  } catch {
    throw new BrokenDocument(`the file is not a valid ${formatLabel} file (it is not a readable ZIP archive)`);
  }
}

/** The text of one entry; a missing entry means the document's structure is broken. */
export async function readZipText(zip: JSZip, path: string, formatLabel: string): Promise<string> {
  const entry = zip.file(path);
  if (entry === null) throw new BrokenDocument(`the file is not a valid ${formatLabel} file (missing ${path})`);
  return entry.async("string");
}
