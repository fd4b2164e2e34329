/**
 * Jinja2 templates (template-transform nodes, jinja2 LLM prompts) rendered with nunjucks, bent
 * towards Python Jinja2 where real Dify templates notice: values print as Python `str()` (`None`,
 * `True`, `['a', 'b']`), `if`/`not`/`and`/`or` use Python truthiness (empty lists and dicts are
 * false), Jinja2-only filters (`tojson`, `map`, `unique`, `selectattr` with a test) exist and
 * filters take Jinja2 keyword arguments. Member lookups see only a value's own data and a few
 * Python-style methods, never `constructor`/`__proto__`, so a template cannot reach host code.
 */
import nunjucks from "nunjucks";
import { pythonJsonDumps, pythonRepr, pythonStr } from "../workflow/python-format.ts";

type Filter = (...args: unknown[]) => unknown;
interface Keywords {
  __keywords: true;
  [name: string]: unknown;
}

const forbiddenNames = new Set([
  "constructor", "__proto__", "prototype", "__defineGetter__", "__defineSetter__",
  "__lookupGetter__", "__lookupSetter__", "caller", "callee", "arguments",
]);

/** Python `str` methods templates call (`{{ name.upper() }}`), bound to the string. */
const stringMethods: Record<string, (text: string, ...args: never[]) => unknown> = {
  upper: (text) => text.toUpperCase(),
  lower: (text) => text.toLowerCase(),
  strip: (text, chars?: string) => (chars ? trimChars(text, chars) : text.trim()),
  lstrip: (text) => text.trimStart(),
  rstrip: (text) => text.trimEnd(),
  title: (text) => text.toLowerCase().replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase()),
  capitalize: (text) => text.charAt(0).toUpperCase() + text.slice(1).toLowerCase(),
  split: (text, separator?: string | null, limit?: number) => pythonSplit(text, separator ?? null, limit ?? -1),
  startswith: (text, prefix: string) => text.startsWith(prefix),
  endswith: (text, suffix: string) => text.endsWith(suffix),
  replace: (text, old: string, replacement: string) => text.split(old).join(replacement),
  find: (text, needle: string) => text.indexOf(needle),
  count: (text, needle: string) => (needle === "" ? text.length + 1 : text.split(needle).length - 1),
  join: (text, items: unknown[]) => (Array.isArray(items) ? items.map(pythonStr).join(text) : ""),
  isdigit: (text) => text.length > 0 && /^\p{Nd}+$/u.test(text),
};

function trimChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text.charAt(start))) start++;
  while (end > start && chars.includes(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

function pythonSplit(text: string, separator: string | null, limit: number): string[] {
  if (separator === null) {
    const words = text.trim().split(/\s+/).filter((word) => word !== "");
    if (limit < 0 || words.length <= limit) return words;
    return [...words.slice(0, limit), words.slice(limit).join(" ")];
  }
  const parts = text.split(separator);
  if (limit < 0 || parts.length <= limit + 1) return parts;
  return [...parts.slice(0, limit), parts.slice(limit).join(separator)];
}

/** Python truthiness: empty strings, lists and dicts, 0, None and False are false. */
export function pythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof String) return value.length > 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function isKeywords(value: unknown): value is Keywords {
  return value !== null && typeof value === "object" && (value as Keywords).__keywords === true;
}

/** Lets a filter take Jinja2 keyword arguments: nunjucks passes them as one trailing object. */
function jinjaSignature(parameters: string[], filter: Filter): Filter {
  // A function, not an arrow: nunjucks calls filters with the render context as `this`.
  return function (this: unknown, value: unknown, ...args: unknown[]) {
    const last = args.at(-1);
    if (!isKeywords(last)) return filter.call(this, value, ...args);
    const positional = args.slice(0, -1);
    for (const [name, given] of Object.entries(last)) {
      if (name === "__keywords") continue;
      const index = parameters.indexOf(name);
      if (index < 0) throw new Error(`unexpected keyword argument '${name}'`);
      positional[index] = given;
    }
    return filter.call(this, value, ...positional);
  };
}

function attributeOf(item: unknown, path: string): unknown {
  let current = item;
  for (const part of String(path).split(".")) {
    if (current === null || current === undefined || forbiddenNames.has(part)) return undefined;
    current = Object.hasOwn(Object(current), part) ? (current as Record<string, unknown>)[part] : undefined;
  }
  return current;
}

/** Jinja2 `tojson`: Python `json.dumps(sort_keys=True)` (ASCII-escaped) with `<>&'` made HTML-safe. */
function toJson(value: unknown, indent?: number): string {
  const sortKeys = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(sortKeys);
    if (item !== null && typeof item === "object") {
      return Object.fromEntries(Object.keys(item).sort().map((key) => [key, sortKeys((item as Record<string, unknown>)[key])]));
    }
    return item;
  };
  return pythonJsonDumps(sortKeys(value ?? null), indent).replace(
    /[\u0080-\uffff<>&']/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const attributeTests: Record<string, (value: unknown, argument?: unknown) => boolean> = {
  defined: (value) => value !== undefined,
  undefined: (value) => value === undefined,
  none: (value) => value === null,
  truthy: (value) => pythonTruthy(value),
  falsy: (value) => !pythonTruthy(value),
  equalto: (value, argument) => value === argument,
  eq: (value, argument) => value === argument,
  "==": (value, argument) => value === argument,
  ne: (value, argument) => value !== argument,
  "!=": (value, argument) => value !== argument,
  gt: (value, argument) => (value as number) > (argument as number),
  ge: (value, argument) => (value as number) >= (argument as number),
  lt: (value, argument) => (value as number) < (argument as number),
  le: (value, argument) => (value as number) <= (argument as number),
  in: (value, argument) => Array.isArray(argument) && argument.includes(value),
  string: (value) => typeof value === "string",
  number: (value) => typeof value === "number",
};

function attributeFilter(keep: boolean): Filter {
  return (items: unknown, attribute: unknown, testName?: unknown, argument?: unknown) => {
    if (!Array.isArray(items)) return [];
    const test = testName === undefined ? attributeTests.truthy : attributeTests[String(testName)];
    if (!test) throw new Error(`no test named '${String(testName)}'`);
    return items.filter((item) => test(attributeOf(item, String(attribute)), argument) === keep);
  };
}

function truncate(text: unknown, length = 255, killwords = false, end = "...", leeway = 5): string {
  const value = pythonStr(text);
  if (value.length <= length + leeway) return value;
  if (killwords) return value.slice(0, Math.max(0, length - end.length)) + end;
  const cut = value.slice(0, Math.max(0, length - end.length));
  const lastSpace = cut.lastIndexOf(" ");
  return (lastSpace >= 0 ? cut.slice(0, lastSpace) : cut) + end;
}

function installPythonSemantics(environment: nunjucks.Environment): void {
  const library = nunjucks as unknown as {
    runtime: Record<string, unknown> & { memberLookup: Filter; contextOrFrameLookup: Filter; SafeString: new (text: string) => object };
    compiler: { Compiler: { prototype: Record<string, unknown> } };
    nodes: { Node: { extend(name: string, properties: object): new (...args: unknown[]) => object } };
    installJinjaCompat(): void;
  };
  library.installJinjaCompat();
  const runtime = library.runtime;

  const compatMemberLookup = runtime.memberLookup;
  runtime.memberLookup = function memberLookup(this: unknown, object: unknown, name: unknown, ...rest: unknown[]) {
    if (typeof name === "string" && forbiddenNames.has(name)) return undefined;
    if (typeof object === "string" && typeof name === "string" && Object.hasOwn(stringMethods, name)) {
      const method = stringMethods[name] as (text: string, ...args: unknown[]) => unknown;
      return (...args: unknown[]) => method(object, ...args);
    }
    return compatMemberLookup.call(this, object, name, ...rest);
  };
  const compatContextLookup = runtime.contextOrFrameLookup;
  runtime.contextOrFrameLookup = function contextOrFrameLookup(this: unknown, context: unknown, frame: unknown, name: unknown) {
    if (typeof name === "string" && forbiddenNames.has(name)) return undefined;
    return compatContextLookup.call(this, context, frame, name);
  };
  const SafeString = runtime.SafeString;
  runtime.suppressValue = (value: unknown) =>
    value === undefined ? "" : value instanceof SafeString ? String(value) : pythonStr(value);
  runtime.pyTruthy = pythonTruthy;
  runtime.pyOr = (left: unknown, right: () => unknown) => (pythonTruthy(left) ? left : right());
  runtime.pyAnd = (left: unknown, right: () => unknown) => (pythonTruthy(left) ? right() : left);

  // Conditions compile to JavaScript truthiness; wrap them so `{% if [] %}` is false, as in Python.
  const compiler = library.compiler.Compiler.prototype as Record<string, (this: CompilerThis, ...args: unknown[]) => void>;
  interface CompilerThis {
    _emit(code: string): void;
    compile(node: unknown, frame: unknown): void;
  }
  const Truthy = library.nodes.Node.extend("PyTruthy", { fields: ["target"] });
  compiler.compilePyTruthy = function (this: CompilerThis, node: unknown, frame: unknown) {
    this._emit("runtime.pyTruthy(");
    this.compile((node as { target: unknown }).target, frame);
    this._emit(")");
  };
  const assertType = compiler.assertType!;
  compiler.assertType = function (this: CompilerThis, node: unknown, ...types: unknown[]) {
    if (node instanceof Truthy) return;
    assertType.call(this, node, ...types);
  };
  for (const name of ["compileIf", "compileInlineIf"]) {
    const original = compiler[name]!;
    compiler[name] = function (this: CompilerThis, node: unknown, ...rest: unknown[]) {
      const conditional = node as { cond: unknown; lineno: number; colno: number };
      if (!(conditional.cond instanceof Truthy)) conditional.cond = new Truthy(conditional.lineno, conditional.colno, conditional.cond);
      original.call(this, node, ...rest);
    };
  }
  compiler.compileNot = function (this: CompilerThis, node: unknown, frame: unknown) {
    this._emit("!runtime.pyTruthy(");
    this.compile((node as { target: unknown }).target, frame);
    this._emit(")");
  };
  for (const [name, helper] of [["compileOr", "pyOr"], ["compileAnd", "pyAnd"]] as const) {
    compiler[name] = function (this: CompilerThis, node: unknown, frame: unknown) {
      const binary = node as { left: unknown; right: unknown };
      this._emit(`runtime.${helper}(`);
      this.compile(binary.left, frame);
      this._emit(", function () { return ");
      this.compile(binary.right, frame);
      this._emit("; })");
    };
  }

  const builtin = (name: string) => environment.getFilter(name) as Filter;
  const filters: Record<string, Filter> = {
    tojson: jinjaSignature(["indent"], (value, indent) => new runtime.SafeString(toJson(value, indent as number | undefined))),
    string: (value) => (value instanceof runtime.SafeString ? String(value) : pythonStr(value)),
    join: jinjaSignature(["d", "attribute"], (value, separator = "", attribute) => {
      if (!Array.isArray(value)) return pythonStr(value).split("").join(String(separator));
      const items = attribute === undefined || attribute === null ? value : value.map((item) => attributeOf(item, String(attribute)));
      return items.map(pythonStr).join(String(separator));
    }),
    map: jinjaSignature(["filter", "attribute", "default"], function (this: unknown, value, filterName, attribute, fallback) {
      if (!Array.isArray(value)) return [];
      if (attribute !== undefined) return value.map((item) => attributeOf(item, String(attribute)) ?? fallback);
      const filter = builtin(String(filterName));
      return value.map((item) => filter.call(this, item));
    }),
    unique: jinjaSignature(["case_sensitive", "attribute"], (value, caseSensitive = false, attribute) => {
      if (!Array.isArray(value)) return [];
      const seen = new Set<unknown>();
      return value.filter((item) => {
        let key = attribute === undefined ? item : attributeOf(item, String(attribute));
        if (!caseSensitive && typeof key === "string") key = key.toLowerCase();
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }),
    selectattr: attributeFilter(true),
    rejectattr: attributeFilter(false),
    truncate: jinjaSignature(["length", "killwords", "end", "leeway"], (value, length, killwords, end, leeway) =>
      truncate(value, length as number | undefined, killwords as boolean | undefined, end as string | undefined, leeway as number | undefined),
    ),
    sort: jinjaSignature(["reverse", "case_sensitive", "attribute"], builtin("sort")),
    default: jinjaSignature(["default_value", "boolean"], builtin("default")),
    round: jinjaSignature(["precision", "method"], builtin("round")),
    replace: jinjaSignature(["old", "new", "count"], builtin("replace")),
    items: (value) => (value !== null && typeof value === "object" ? Object.entries(value) : []),
    pprint: (value) => pythonRepr(value),
  };
  filters.d = filters.default!;
  for (const [name, filter] of Object.entries(filters)) environment.addFilter(name, filter);
}

/** Renders Jinja2 templates; one instance per worker, reused for every render. */
export interface Jinja2Renderer {
  render(template: string, variables: Record<string, unknown>): string;
}

/** Jinja2's SandboxedEnvironment bound: a template cannot build a huge list in one call. */
const maxRangeLength = 100_000;

export function createJinja2Renderer(): Jinja2Renderer {
  const environment = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
  installPythonSemantics(environment);
  const range = environment.getGlobal("range") as (start: number, stop?: number, step?: number) => number[];
  environment.addGlobal("range", (start: number, stop?: number, step = 1) => {
    const [from, to] = stop === undefined ? [0, start] : [start, stop];
    if (step !== 0 && (to - from) / step > maxRangeLength) {
      throw new Error(`range too big: at most ${maxRangeLength} items`);
    }
    return range(from, to, step);
  });
  return {
    render(template, variables) {
      return environment.renderString(template, variables);
    },
  };
}
