/**
 * Renders rows as a GitHub-flavoured markdown table, the shape Dify gives CSV, spreadsheet and
 * DOCX tables. The first row is the header; short rows are padded so every row has the same
 * number of cells, and pipes and line breaks inside a cell are escaped so a cell stays one cell.
 */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "";
  const width = Math.max(...rows.map((row) => row.length));
  if (width === 0) return "";
  const line = (cells: readonly string[]) =>
    `| ${Array.from({ length: width }, (_, index) => escapeCell(cells[index] ?? "")).join(" | ")} |`;
  const [header = [], ...body] = rows;
  return [line(header), line(Array.from({ length: width }, () => "---")), ...body.map(line)].join("\n");
}

function escapeCell(cell: string): string {
  return cell.replaceAll("|", "\\|").replace(/\r?\n|\r/g, "<br>").trim();
}
