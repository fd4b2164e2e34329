import { describe, expect, test } from "bun:test";
import { extractText } from "../../../src/files/extract";
import { rejection } from "./expect-error";

const utf8 = (text: string) => new TextEncoder().encode(text);
const extract = (filename: string, text: string | Uint8Array, mimeType?: string) =>
  extractText({ bytes: typeof text === "string" ? utf8(text) : text, filename, mimeType });

describe("plain text decoding", () => {
  test("UTF-8 multibyte text comes back unchanged", async () => {
    expect(await extract("notes.txt", "Grüße 你好\nline two\n")).toBe("Grüße 你好\nline two\n");
  });

  test("a UTF-8 byte order mark is dropped", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("Grüße 你好")]);
    expect(await extract("bom.md", bytes)).toBe("Grüße 你好");
  });

  test("UTF-16 with a byte order mark is decoded", async () => {
    const text = "Grüße 你好";
    const littleEndian = new Uint8Array(2 + text.length * 2);
    littleEndian.set([0xff, 0xfe]);
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      littleEndian[2 + index * 2] = code & 0xff;
      littleEndian[3 + index * 2] = code >> 8;
    }
    expect(await extract("wide.txt", littleEndian)).toBe(text);
  });

  test("GBK text is detected and decoded", async () => {
    const sentence = "欢迎使用文档提取功能，这是一个中文文本文件。我们希望它能被正确识别。";
    const gbk = Uint8Array.from(
      Buffer.from(
        "bbb6d3adcab9d3c3cec4b5b5cce1c8a1b9a6c4dca3acd5e2cac7d2bbb8f6d6d0cec4cec4b1becec4bcfea1a3ced2c3c7cfa3cdfbcbfcc4dcb1bbd5fdc8b7cab6b1f0a1a3",
        "hex",
      ),
    );
    expect(await extract("chinese.txt", gbk)).toBe(sentence);
  });

  test("Latin-1 text is detected and decoded", async () => {
    const latin1 = Uint8Array.from("Grüße aus München", (character) => character.charCodeAt(0));
    expect(await extract("legacy.txt", latin1)).toBe("Grüße aus München");
  });

  test("markdown, MDX, XML and source files are returned as written", async () => {
    const markdown = "# Title\n\n- item with `code`\n";
    expect(await extract("readme.MD", markdown)).toBe(markdown);
    expect(await extract("page.mdx", markdown)).toBe(markdown);
    expect(await extract("data.xml", "<a><b>x</b></a>")).toBe("<a><b>x</b></a>");
    expect(await extract("main.py", "print('hi')\n")).toBe("print('hi')\n");
  });

  test("an empty text file gives empty text", async () => {
    expect(await extract("empty.txt", "")).toBe("");
  });
});

describe("HTML", () => {
  test("keeps the readable text as markdown and drops scripts, styles and the head", async () => {
    const html = `<!DOCTYPE html><html><head><title>Tab title</title><style>p { color: red }</style></head>
      <body><script>alert("x")</script><h1>Grüße</h1>
      <p>Hello <b>bold</b>
         world &amp; 你好<br>second line</p>
      <ul><li>one<ol><li>nested</li></ol></li><li>two</li></ul>
      <table><thead><tr><th>Name</th><th>Qty</th></tr></thead><tbody><tr><td>a | b</td><td>3</td></tr></tbody></table>
      <pre>  keep
    spacing</pre><noscript>enable js</noscript></body></html>`;
    expect(await extract("page.html", html)).toBe(
      [
        "# Grüße",
        "Hello bold world & 你好",
        "second line",
        "- one",
        "  - nested",
        "- two",
        "| Name | Qty |",
        "| --- | --- |",
        "| a \\| b | 3 |",
        "  keep\n    spacing",
      ].join("\n"),
    );
  });

  test("an .htm file and a text/html upload without extension read the same way", async () => {
    expect(await extract("old.htm", "<p>a</p><p>b</p>")).toBe("a\nb");
    expect(await extract("download", "<div>x<span> y</span></div>", "text/html; charset=utf-8")).toBe("x y");
  });
});

describe("CSV", () => {
  test("becomes a markdown table with quoted commas, quotes and line breaks kept in their cells", async () => {
    const csv = 'name,comment,qty\r\n"Müller, Hans","said ""hi""\nthen left",3\r\n你好,,4\r\n\r\n';
    expect(await extract("people.csv", csv)).toBe(
      [
        "| name | comment | qty |",
        "| --- | --- | --- |",
        '| Müller, Hans | said "hi"<br>then left | 3 |',
        "| 你好 |  | 4 |",
      ].join("\n"),
    );
  });

  test("rows shorter than the header are padded", async () => {
    expect(await extract("short.csv", "a,b,c\n1\n")).toBe("| a | b | c |\n| --- | --- | --- |\n| 1 |  |  |");
  });
});

describe("JSON and YAML", () => {
  test("JSON is pretty-printed with two spaces and non-ASCII kept", async () => {
    expect(await extract("data.json", '{"greeting":"Grüße 你好","list":[1,{"a":null}]}')).toBe(
      '{\n  "greeting": "Grüße 你好",\n  "list": [\n    1,\n    {\n      "a": null\n    }\n  ]\n}',
    );
  });

  test("YAML is normalised document by document", async () => {
    const yaml = "# comment\nname:   Grüße\nitems: [1, 2]\n---\nsecond: 你好\n";
    expect(await extract("config.yml", yaml)).toBe("name: Grüße\nitems:\n  - 1\n  - 2\n---\nsecond: 你好\n");
  });

  test("broken JSON and YAML are errors naming the file", async () => {
    const json = await rejection(() => extract("bad.json", '{"a": '));
    expect(json.code).toBe("invalid_param");
    expect(json.message).toStartWith("Failed to extract text from bad.json: the file is not valid JSON (");
    const yaml = await rejection(() => extract("bad.yaml", "a: [1, 2\nb: c"));
    expect(yaml.message).toStartWith("Failed to extract text from bad.yaml: the file is not valid YAML (");
  });
});

describe("VTT and properties", () => {
  test("a WebVTT file becomes a transcript with consecutive cues of a speaker merged", async () => {
    const vtt = [
      "WEBVTT - meeting",
      "",
      "NOTE this is skipped",
      "",
      "1",
      "00:00:00.000 --> 00:00:02.000",
      "<v Anna>Hello &amp; welcome</v>",
      "",
      "00:00:02.000 --> 00:00:04.000",
      "<v Anna>to the <b>meeting</b>.</v>",
      "",
      "00:00:04.000 --> 00:00:06.000 align:start",
      "<v.loud Ben>Grüße 你好</v>",
      "",
      "00:00:06.000 --> 00:00:08.000",
      "no speaker here",
      "second line",
      "",
    ].join("\r\n");
    expect(await extract("call.vtt", vtt)).toBe(
      'Anna "Hello & welcome to the meeting."\nBen "Grüße 你好"\n"no speaker here second line"',
    );
  });

  test("a file without the WEBVTT header is refused", async () => {
    const error = await rejection(() => extract("fake.vtt", "00:00.000 --> 00:01.000\nhi"));
    expect(error.message).toBe("Failed to extract text from fake.vtt: the file is not a WebVTT file (it does not start with WEBVTT)");
  });

  test("properties entries are shown as key: value with comments kept", async () => {
    const properties = "# settings\n! legacy comment\napp.name = Kiln\nurl=http://x:1/a=b\ngreeting: Grüße 你好\n\nflag\n";
    expect(await extract("app.properties", properties)).toBe(
      "# settings\n! legacy comment\napp.name: Kiln\nurl: http://x:1/a=b\ngreeting: Grüße 你好\n\nflag: \n",
    );
  });
});
