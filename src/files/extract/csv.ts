import Papa from "papaparse";
import { markdownTable } from "./markdown-table";

/**
 * A CSV file as a markdown table whose header is the first row, as Dify renders it. Fields are
 * comma-separated (Dify's reader does not guess delimiters) and quoted fields may span lines.
 */
export function csvToMarkdown(text: string): string {
  const { data } = Papa.parse<string[]>(text, { delimiter: ",", skipEmptyLines: "greedy" });
  return markdownTable(data);
}
