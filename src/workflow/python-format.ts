/**
 * Python's string forms, which Dify's templates and logs show to users (§1.9, §7.1): `str(True)`
 * is `True`, `str(1.0)` is `1.0`, `str([1, 'a'])` is a repr, and `json.dumps` puts a space after
 * `,` and `:`. JavaScript's own conversions differ on each point, so renderings go through here.
 */

/** Python `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 ≤ |x| < 1e16. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  let text: string;
  if (exponent < 0) {
    text = `0.${"0".repeat(-exponent - 1)}${digits}`;
  } else if (digits.length > exponent + 1) {
    text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  } else {
    text = `${digits}${"0".repeat(exponent + 1 - digits.length)}.0`;
  }
  return negative ? `-${text}` : text;
}

/** A number as Python prints it; whole numbers are ints unless the caller knows it is a float. */
export function pythonNumber(value: number, isFloat = false): string {
  if (Number.isInteger(value) && !isFloat && Math.abs(value) < 1e21) return String(value);
  return pythonFloat(value);
}

function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === "\\") out += "\\\\";
    else if (char === quote) out += `\\${quote}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return out + quote;
}

/** Python `repr(value)` of a JSON-like value (what `str(list)` shows for each element). */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`).join(", ")}}`;
  }
  return String(value);
}

/** Python `str(value)`: strings as they are, everything else as its repr. */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}

/**
 * Python `json.dumps(value, ensure_ascii=False)` (one line, `", "` and `": "` separators) or,
 * with `indent`, `json.dumps(value, ensure_ascii=False, indent=n)`.
 */
export function pythonJsonDumps(value: unknown, indent?: number): string {
  return dumpJson(value, indent, 0);
}

function dumpJson(value: unknown, indent: number | undefined, depth: number): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    return pythonNumber(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  const isArray = Array.isArray(value);
  const items: string[] = isArray
    ? (value as unknown[]).map((item) => dumpJson(item, indent, depth + 1))
    : Object.entries(value as Record<string, unknown>).map(
        ([key, item]) => `${JSON.stringify(key)}: ${dumpJson(item, indent, depth + 1)}`,
      );
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (items.length === 0) return open + close;
  if (indent === undefined) return `${open}${items.join(", ")}${close}`;
  const inner = " ".repeat(indent * (depth + 1));
  const outer = " ".repeat(indent * depth);
  return `${open}\n${inner}${items.join(`,\n${inner}`)}\n${outer}${close}`;
}
