import { describe, expect, test } from "bun:test";
import { runFailing, useSandbox } from "./sandbox-fixture.ts";

const sandbox = useSandbox({ workers: 1 });
const javascript = (code: string, inputs: Record<string, unknown> = {}) => ({ language: "javascript" as const, code, inputs });

describe("javascript code", () => {
  test("main receives one object and returns every JSON type", async () => {
    const inputs = { text: "héllo", count: 3, ratio: 0.25, flag: true, nothing: null, items: [1, "a", null], nested: { a: { b: [false] } } };
    const code = `function main(args) {
      return { echo: args, types: Object.values(args).map((v) => v === null ? "null" : Array.isArray(v) ? "array" : typeof v) };
    }`;
    const result = await sandbox().run(javascript(code, inputs));
    expect(result.echo).toEqual(inputs);
    expect(result.types).toEqual(["string", "number", "number", "boolean", "null", "array", "object"]);
  });

  test("const and arrow-function mains work, console is silent", async () => {
    const code = "const main = ({ a }) => { console.log('x'); return { doubled: a * 2 }; };";
    expect(await sandbox().run(javascript(code, { a: 21 }))).toEqual({ doubled: 42 });
  });

  test("each run gets a fresh context", async () => {
    await sandbox().run(javascript("globalThis.leaked = 1; function main() { return {}; }"));
    expect(await sandbox().run(javascript("function main() { return { seen: typeof leaked }; }"))).toEqual({ seen: "undefined" });
  });

  test("a syntax error is reported", async () => {
    const error = await runFailing(sandbox(), javascript("function main( { return {} }"));
    expect(error.kind).toBe("code");
    expect(error.message).toContain("SyntaxError");
  });

  test("a thrown error keeps its type and message", async () => {
    const error = await runFailing(sandbox(), javascript("function main() { throw new TypeError('bad input'); }"));
    expect(error.kind).toBe("code");
    expect(error.message).toBe("TypeError: bad input");
  });

  test("missing main is an error", async () => {
    const error = await runFailing(sandbox(), javascript("function handler() { return {}; }"));
    expect(error.kind).toBe("invalid_result");
    expect(error.message).toContain("main");
  });

  test("a non-object return is an error", async () => {
    for (const value of ["42", "[1]", "null", "'text'"]) {
      const error = await runFailing(sandbox(), javascript(`function main() { return ${value}; }`));
      expect(error.kind).toBe("invalid_result");
      expect(error.message).toContain("must be an object");
    }
  });
});
