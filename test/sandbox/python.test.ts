import { describe, expect, test } from "bun:test";
import { runFailing, useSandbox } from "./sandbox-fixture.ts";

const sandbox = useSandbox({ workers: 1 });
const python = (code: string, inputs: Record<string, unknown> = {}) => ({ language: "python3" as const, code, inputs });

describe("python3 code", () => {
  test("main(**inputs) receives and returns every JSON type", async () => {
    const inputs = { text: "héllo", count: 3, ratio: 0.25, flag: true, nothing: null, items: [1, "a", null], nested: { a: { b: [false] } } };
    const code = `
def main(text, count, ratio, flag, nothing, items, nested):
    return {
        "types": [type(v).__name__ for v in (text, count, ratio, flag, nothing, items, nested)],
        "echo": {"text": text, "count": count, "ratio": ratio, "flag": flag, "nothing": nothing, "items": items, "nested": nested},
        "float_sum": count + ratio,
        "int_product": count * 2,
    }`;
    const result = await sandbox().run(python(code, inputs));
    expect(result.types).toEqual(["str", "int", "float", "bool", "NoneType", "list", "dict"]);
    expect(result.echo).toEqual(inputs);
    expect(result.float_sum).toBe(3.25);
    expect(result.int_product).toBe(6);
  });

  test("the standard library is importable", async () => {
    const code = `
import re, json, math, datetime, hashlib, base64, collections, urllib.parse
def main(s):
    return {"digest": hashlib.md5(s.encode()).hexdigest(), "quoted": urllib.parse.quote(s), "words": re.findall(r"\\w+", s)}`;
    const result = await sandbox().run(python(code, { s: "a b" }));
    expect(result).toEqual({ digest: "0cc9cd4dd26c5137b675a0d819cb9ab0", quoted: "a%20b", words: ["a", "b"] });
  });

  test("each run gets fresh globals", async () => {
    await sandbox().run(python("leaked = 41\ndef main():\n    return {}"));
    const result = await sandbox().run(python("def main():\n    return {'seen': 'leaked' in globals()}"));
    expect(result).toEqual({ seen: false });
  });

  test("a syntax error names the line", async () => {
    const error = await runFailing(sandbox(), python("def main(:\n    return {}"));
    expect(error.kind).toBe("code");
    expect(error.message).toContain("SyntaxError");
    expect(error.message).toContain("line 1");
  });

  test("an exception keeps its type and message", async () => {
    const error = await runFailing(sandbox(), python("def main():\n    raise ValueError('bad input')"));
    expect(error.kind).toBe("code");
    expect(error.message).toBe("ValueError: bad input (line 2)");
  });

  test("missing main is an error", async () => {
    const error = await runFailing(sandbox(), python("def handler():\n    return {}"));
    expect(error.kind).toBe("invalid_result");
    expect(error.message).toContain("main");
  });

  test("a non-dict return is an error", async () => {
    const error = await runFailing(sandbox(), python("def main():\n    return [1, 2]"));
    expect(error.kind).toBe("invalid_result");
    expect(error.message).toContain("must be a dict, got list");
  });

  test("an unexpected argument is reported like Python does", async () => {
    const error = await runFailing(sandbox(), python("def main(a):\n    return {}", { a: 1, b: 2 }));
    expect(error.message).toContain("unexpected keyword argument 'b'");
  });

  test("a value JSON cannot hold is an error, not a crash", async () => {
    const error = await runFailing(sandbox(), python("def main():\n    return {'s': {1, 2}}"));
    expect(error.kind).toBe("invalid_result");
    expect(error.message).toContain("not JSON-serialisable");
    expect(await sandbox().run(python("def main():\n    return {'nan': None}"))).toEqual({ nan: null });
  });

  test("print goes nowhere and does not break the result", async () => {
    expect(await sandbox().run(python("def main():\n    print('noise')\n    return {'ok': True}"))).toEqual({ ok: true });
  });
});
