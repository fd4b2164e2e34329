import { describe, expect, test } from "bun:test";
import { pythonFloat, pythonJsonDumps, pythonRepr } from "../../src/workflow/python-format.ts";
import { segmentMarkdown, segmentText, toSegment, type WorkflowFile } from "../../src/workflow/segments.ts";
import { parseTemplate, renderMarkdown, renderText } from "../../src/workflow/template.ts";
import { VariablePool } from "../../src/workflow/variable-pool.ts";
import { catImage } from "./harness.ts";

const image = catImage;
const doc: WorkflowFile = { ...image, type: "document", filename: "a.pdf", remote_url: "https://example.test/a.pdf" };

describe("Python renderings (§1.9, §7.1)", () => {
  test.each([
    [1.5, "1.5"],
    [1e16, "1e+16"],
    [1.5e-7, "1.5e-07"],
    [0.0001, "0.0001"],
    [123456789.125, "123456789.125"],
    [-2.5, "-2.5"],
    [0.1 + 0.2, "0.30000000000000004"],
  ])("float %p prints as %p", (value, expected) => {
    expect(pythonFloat(value)).toBe(expected);
  });

  test("repr and json.dumps use Python's quoting and separators", () => {
    expect(pythonRepr([1, "a", true, null, { k: "it's" }])).toBe(`[1, 'a', True, None, {'k': "it's"}]`);
    expect(pythonJsonDumps({ a: 1, b: [1, 2], c: "é" })).toBe('{"a": 1, "b": [1, 2], "c": "é"}');
    expect(pythonJsonDumps({ a: { b: [] } }, 2)).toBe('{\n  "a": {\n    "b": []\n  }\n}');
  });

  test(".text and .markdown per segment type", () => {
    const cases: Array<[unknown, string, string]> = [
      [true, "True", "True"],
      [3, "3", "3"],
      [null, "", ""],
      [{ a: 1, b: [1, 2] }, '{"a": 1, "b": [1, 2]}', '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}'],
      [["a", "b"], '["a", "b"]', "- a\n- b"],
      [[1, 2.5], "[1, 2.5]", "- 1\n- 2.5"],
      [[{ x: true }], "[{'x': True}]", "- {'x': True}"],
      [[], "", ""],
      [image, "", "![cat.png](https://example.test/cat.png)"],
      [[image, doc], "", "![cat.png](https://example.test/cat.png)\n[a.pdf](https://example.test/a.pdf)"],
    ];
    for (const [value, text, markdown] of cases) {
      const segment = toSegment(value);
      expect(segmentText(segment)).toBe(text);
      expect(segmentMarkdown(segment)).toBe(markdown);
    }
    expect(segmentText(toSegment(1, "float"))).toBe("1.0");
  });
});

describe("templates", () => {
  const pool = new VariablePool();
  pool.add(["1747", "text"], "hi");
  pool.add(["1747", "obj"], { name: "Ada", inner: { n: 2 } });
  pool.add(["sys", "query"], "q?");
  pool.add(["start", "flag"], false);
  pool.add(["start", "file"], image);

  test("the exact graphon pattern: no hyphens, 1–10 name parts", () => {
    expect(parseTemplate("a {{#node-1.x#}} b").every((part) => part.kind === "text")).toBe(true);
    expect(parseTemplate("{{#n.a.b.c.d.e.f.g.h.i.j.k#}}").every((part) => part.kind === "text")).toBe(true);
    expect(parseTemplate("{{#n.a.b.c.d.e.f.g.h.i.j#}}")).toEqual([
      { kind: "variable", selector: ["n", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], raw: "n.a.b.c.d.e.f.g.h.i.j" },
    ]);
  });

  test("resolves nodes, namespaces, object paths and file attributes", () => {
    expect(renderText("{{#1747.text#}} / {{#sys.query#}} / {{#1747.obj.inner.n#}} / {{#start.flag#}}", pool)).toBe("hi / q? / 2 / False");
    expect(renderText("{{#start.file.name#}} {{#start.file.extension#}}", pool)).toBe("cat.png .png");
  });

  test("a missing variable renders as its own path", () => {
    expect(renderText("x={{#abc.x#}};", pool)).toBe("x=abc.x;");
    expect(renderText("{{#1747.obj.missing#}}", pool)).toBe("1747.obj.missing");
  });

  test("markdown rendering for answers", () => {
    expect(renderMarkdown("{{#1747.obj#}}", pool)).toBe('{\n  "name": "Ada",\n  "inner": {\n    "n": 2\n  }\n}');
    expect(renderMarkdown("see {{#start.file#}}", pool)).toBe("see ![cat.png](https://example.test/cat.png)");
  });
});

describe("variable pool reads (§3.1)", () => {
  test("short selectors, lists and unknown file attributes resolve to nothing", () => {
    const pool = new VariablePool();
    pool.add(["n", "list"], [{ a: 1 }]);
    pool.add(["n", "file"], image);
    expect(pool.get(["n"])).toBeUndefined();
    expect(pool.get(["n", "list", "0"])).toBeUndefined();
    expect(pool.get(["n", "file", "bogus"])).toBeUndefined();
    expect(pool.get(["n", "file", "size"])?.value).toBe(12);
    expect(() => pool.add(["a", "b", "c"], 1)).toThrow("Invalid selector length");
  });

  test("type inference follows Dify's order", () => {
    expect(toSegment(true).type).toBe("boolean");
    expect(toSegment(2).type).toBe("integer");
    expect(toSegment(2.5).type).toBe("float");
    expect(toSegment([1, 2.5]).type).toBe("array[number]");
    expect(toSegment(["a", 1]).type).toBe("array[any]");
    expect(toSegment([image]).type).toBe("array[file]");
    expect(toSegment([]).type).toBe("array[any]");
  });
});
