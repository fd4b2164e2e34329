import readXlsxFile from "read-excel-file/universal";
import { toArrayBuffer } from "./decode-text";
import { markdownTable } from "./markdown-table";

type CellValue = string | number | boolean | Date | null;

/**
 * The text of an Excel workbook: each sheet, in workbook order, as a `## name` heading and a
 * markdown table whose header is the sheet's first row (Dify renders each sheet as a table the
 * same way). Empty rows are dropped; empty sheets are left out.
 */
export async function extractXlsx(bytes: Uint8Array): Promise<string> {
  const sheets = await readXlsxFile(toArrayBuffer(bytes));
  const rendered: string[] = [];
  for (const { sheet, data } of sheets) {
    const rows = (data as CellValue[][])
      .map((row) => row.map(formatCell))
      .filter((row) => row.some((cell) => cell !== ""));
    if (rows.length > 0) rendered.push(`## ${sheet}\n${markdownTable(rows)}`);
  }
  return rendered.join("\n\n");
}

function formatCell(value: CellValue): string {
  if (value === null) return "";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return formatDate(value);
  return String(value);
}

/** Spreadsheet dates carry no zone (they are read as UTC); a date without a time shows as a day. */
function formatDate(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19).replace("T", " ");
}
