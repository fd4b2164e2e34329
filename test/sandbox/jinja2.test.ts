import { describe, expect, test } from "bun:test";
import { runFailing, useSandbox } from "./sandbox-fixture.ts";

const sandbox = useSandbox({ workers: 1 });
const render = async (template: string, inputs: Record<string, unknown> = {}) =>
  (await sandbox().run({ language: "jinja2", code: template, inputs })).output;

describe("jinja2 templates", () => {
  test("values print as Python str()", async () => {
    const inputs = { none: null, yes: true, no: false, list: ["a", 1, null, true], dict: { k: "v", n: null }, text: "it's" };
    expect(await render("{{ none }}|{{ yes }}|{{ no }}|{{ list }}|{{ dict }}|{{ missing }}|{{ text }}", inputs)).toBe(
      "None|True|False|['a', 1, None, True]|{'k': 'v', 'n': None}||it's",
    );
  });

  test("autoescape is off", async () => {
    expect(await render("{{ html }}", { html: "<b>&</b>" })).toBe("<b>&</b>");
  });

  test("conditions use Python truthiness", async () => {
    const template = "{% if empty %}a{% elif zero %}b{% elif obj %}c{% else %}d{% endif %}|{{ 'x' if empty else 'y' }}|{{ not empty }}|{{ empty or 'fallback' }}|{{ full and 'both' }}";
    expect(await render(template, { empty: [], zero: 0, obj: {}, full: [1] })).toBe("d|y|True|fallback|both");
  });

  test("loops, loop.index, set and whitespace control", async () => {
    const template = "{%- set sep = ', ' -%}\n{% for item in items -%}\n{{ loop.index }}:{{ item.title }}{% if not loop.last %}{{ sep }}{% endif %}\n{%- endfor %}";
    expect(await render(template, { items: [{ title: "a" }, { title: "b" }] })).toBe("1:a, 2:b");
  });

  test("dict items and string methods", async () => {
    const template = "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{{ s.upper() }}{{ s.split(',') }}";
    expect(await render(template, { d: { a: 1, b: 2 }, s: "x,y" })).toBe("a=1;b=2;X,Y['x', 'y']");
  });

  test("tojson matches Python Jinja2", async () => {
    expect(await render("{{ v | tojson }}", { v: { b: [1, "<é>"], a: null } })).toBe('{"a": null, "b": [1, "\\u003c\\u00e9\\u003e"]}');
  });

  test("common filters", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["{{ xs | length }} {{ s | length }}", { xs: [1, 2, 3], s: "abcd" }, "3 4"],
      ["{{ xs | join('-') }}", { xs: ["a", null, 1] }, "a-None-1"],
      ["{{ missing | default('dflt') }} {{ none | default('x') }} {{ '' | default('y', true) }}", { none: null }, "dflt None y"],
      ["{{ s | upper }} {{ s | lower }} {{ s | title }} [{{ p | trim }}]", { s: "hello World", p: "  pad  " }, "HELLO WORLD hello world Hello World [pad]"],
      ["{{ s | replace('a', 'o') }}", { s: "banana" }, "bonono"],
      ["{{ 3.14159 | round(2) }} {{ '42' | int + 1 }} {{ '2.5' | float * 2 }}", {}, "3.14 43 5"],
      ["{{ xs | first }} {{ xs | last }} {{ s | list }}", { xs: [1, 2, 3], s: "ab" }, "1 3 ['a', 'b']"],
      ["{{ xs | sort }} {{ xs | sort(reverse=true) }} {{ xs | unique | list }}", { xs: [3, 1, 3, 2] }, "[1, 2, 3, 3] [3, 3, 2, 1] [3, 1, 2]"],
      ["{{ people | map(attribute='name') | join(',') }}", { people: [{ name: "a" }, { name: "b" }] }, "a,b"],
      ["{{ people | selectattr('admin') | map(attribute='name') | list }}", { people: [{ name: "a", admin: true }, { name: "b", admin: false }] }, "['a']"],
      ["{{ people | selectattr('age', 'equalto', 3) | map(attribute='name') | first }}", { people: [{ name: "a", age: 2 }, { name: "b", age: 3 }] }, "b"],
      ["{{ s | truncate(9) }}|{{ s | truncate(9, true) }}", { s: "hello wonderful world" }, "hello...|hello ..."],
      ["{{ s | wordcount }} {{ h | striptags }}", { s: "one two three", h: "<p>hi <b>there</b></p>" }, "3 hi there"],
      ["{{ xs | map('upper') | list }}", { xs: ["a", "b"] }, "['A', 'B']"],
    ];
    for (const [template, inputs, expected] of cases) expect(await render(template, inputs)).toBe(expected);
  });

  test("range is bounded as in Jinja2's sandbox", async () => {
    expect(await render("{{ range(3) | list }} {{ range(1, 7, 2) | list }}")).toBe("[0, 1, 2] [1, 3, 5]");
    const error = await runFailing(sandbox(), { language: "jinja2", code: "{% for i in range(10000000) %}x{% endfor %}", inputs: {} });
    expect(error.message).toContain("range too big");
  });

  test("a template that runs too long is stopped and the worker replaced", async () => {
    const template = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";
    const error = await runFailing(sandbox(), { language: "jinja2", code: template, inputs: {}, timeoutMs: 200 });
    expect(error.kind).toBe("timeout");
    expect(await render("{{ 'still' }} here")).toBe("still here");
  }, 30_000);

  test("a template error is a code error", async () => {
    const error = await runFailing(sandbox(), { language: "jinja2", code: "{% for x in %}", inputs: {} });
    expect(error.kind).toBe("code");
    expect(error.message).toContain("TemplateError");
  });
});
