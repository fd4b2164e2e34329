/**
 * Python's `str()` and `repr()` of JSON-shaped values, for templates that must print what Jinja2
 * prints: `None`, `True`, `['a', 1]`, `{'k': None}`. Whole-number floats print as ints: the
 * int/float difference does not survive the trip through JavaScript numbers.
 */

/** Python `repr(s)` of a string: single quotes unless the text has one and no double quote. */
export function pythonStringRepr(text: string): string {
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

function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return String(value);
}

/** Python `repr()` of a JSON-shaped value (how list items and dict entries print). */
export function pythonRepr(value: unknown): string {
  if (typeof value === "string") return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (value !== null && typeof value === "object" && !(value instanceof String)) {
    const entries = Object.entries(value).map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`);
    return `{${entries.join(", ")}}`;
  }
  return pythonStr(value);
}

/** Python `str()` of a JSON-shaped value (how `{{ value }}` prints in Jinja2). */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string" || value instanceof String) return String(value);
  if (typeof value === "object") return pythonRepr(value);
  return String(value);
}
