import { describe, expect, test } from "bun:test";
import { extractText, isExtractable } from "../../../src/files/extract";

describe("isExtractable", () => {
  test("accepts every supported extension, with or without the dot, in any case", () => {
    for (const extension of ["txt", ".md", "MARKDOWN", "mdx", "html", "htm", "csv", "json", "xml", "yaml", "yml", "vtt", "properties", "pdf", ".DOCX", "xlsx", "pptx", "epub", "py"]) {
      expect(isExtractable(extension)).toBe(true);
    }
  });

  test("refuses images, archives and the legacy Office formats", () => {
    for (const extension of ["png", "zip", "doc", "xls", "ppt", "", "exe"]) {
      expect(isExtractable(extension)).toBe(false);
    }
  });

  test("falls back to the MIME type, ignoring parameters and case", () => {
    expect(isExtractable("", "Application/PDF")).toBe(true);
    expect(isExtractable("bin", "text/csv; charset=utf-8")).toBe(true);
    expect(isExtractable("", "image/png")).toBe(false);
  });
});

describe("format resolution", () => {
  test("the extension decides over the MIME type", async () => {
    const bytes = new TextEncoder().encode("a,b\n1,2");
    expect(await extractText({ bytes, filename: "x", extension: ".csv", mimeType: "text/plain" })).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |");
    expect(await extractText({ bytes, filename: "table.csv", mimeType: "text/plain" })).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |");
  });

  test("an explicit extension wins over the filename's", async () => {
    const bytes = new TextEncoder().encode('{"a":1}');
    expect(await extractText({ bytes, filename: "data.txt", extension: "json" })).toBe('{\n  "a": 1\n}');
  });
});
