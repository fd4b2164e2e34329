import { describe, expect, test } from "bun:test";
import { extractText } from "../../../src/files/extract";
import { makeDocx, makeEpub, makePdf, makePptx, makeXlsx } from "./fixtures";

describe("PDF", () => {
  test("pages come out in order, a blank line between pages", async () => {
    const pdf = await makePdf([["First page Grüße", "second line"], ["Page two"], ["Page three"]]);
    expect(await extractText({ bytes: pdf, filename: "report.pdf" })).toBe(
      "First page Grüße\nsecond line\n\nPage two\n\nPage three",
    );
  });

  test("the MIME type is enough when the name has no extension", async () => {
    const pdf = await makePdf([["by mime"]]);
    expect(await extractText({ bytes: pdf, filename: "blob", mimeType: "application/pdf" })).toBe("by mime");
  });
});

describe("DOCX", () => {
  test("paragraphs and headings in order, tables as markdown tables", async () => {
    const docx = await makeDocx([
      { heading: "Quarterly report" },
      { paragraph: "Grüße 你好" },
      { table: [["Item", "Count"], ["Äpfel | rot", "3"], ["two\nlines", "4"]] },
      { paragraph: "After the table." },
    ]);
    expect(await extractText({ bytes: docx, filename: "report.docx" })).toBe(
      [
        "# Quarterly report",
        "Grüße 你好",
        "| Item | Count |",
        "| --- | --- |",
        "| Äpfel \\| rot | 3 |",
        "| two<br>lines | 4 |",
        "After the table.",
      ].join("\n"),
    );
  });
});

describe("XLSX", () => {
  test("each sheet, in workbook order, is a heading and a markdown table", async () => {
    const xlsx = await makeXlsx([
      {
        name: "Orders",
        rows: [
          ["Customer", "Amount", "Date", "Paid"],
          ["Grüße 你好", 12.5, new Date(Date.UTC(2024, 0, 31)), true],
          [null, null, null, null],
          ["Bob", 3, null, false],
        ],
      },
      { name: "Empty", rows: [[null]] },
      { name: "Notes", rows: [["note"], ["last sheet"]] },
    ]);
    expect(await extractText({ bytes: xlsx, filename: "book.xlsx" })).toBe(
      [
        "## Orders",
        "| Customer | Amount | Date | Paid |",
        "| --- | --- | --- | --- |",
        "| Grüße 你好 | 12.5 | 2024-01-31 | TRUE |",
        "| Bob | 3 |  | FALSE |",
        "",
        "## Notes",
        "| note |",
        "| --- |",
        "| last sheet |",
      ].join("\n"),
    );
  });
});

describe("PPTX", () => {
  test("slides follow the presentation order, not the part names", async () => {
    const pptx = await makePptx([["Opening slide", "Grüße 你好"], ["Middle & more"], ["Closing <slide>"]]);
    expect(await extractText({ bytes: pptx, filename: "deck.pptx" })).toBe(
      "Opening slide\nGrüße 你好\n\nMiddle & more\n\nClosing <slide>",
    );
  });
});

describe("EPUB", () => {
  test("chapters follow the spine, each rendered like HTML", async () => {
    const epub = await makeEpub([
      "<h1>Chapter One</h1><p>Grüße 你好</p>",
      "<p>Second <em>chapter</em> text</p><ul><li>a</li><li>b</li></ul>",
      "<p>The end</p>",
    ]);
    expect(await extractText({ bytes: epub, filename: "book.epub" })).toBe(
      "# Chapter One\nGrüße 你好\n\nSecond chapter text\n- a\n- b\n\nThe end",
    );
  });
});
