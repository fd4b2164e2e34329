/**
 * A Java `.properties` file with each entry shown as `key: value` (the first `=`, else the first
 * `:`, splits key from value); comments and blank lines are kept as they are, as Dify does.
 */
export function formatProperties(text: string): string {
  return text
    .split(/\r?\n|\r/)
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith("!")) return trimmed;
      // `=` wins over an earlier `:`, as in Dify.
      const separator = trimmed.includes("=") ? trimmed.indexOf("=") : trimmed.indexOf(":");
      if (separator === -1) return `${trimmed}: `;
      return `${trimmed.slice(0, separator).trim()}: ${trimmed.slice(separator + 1).trim()}`;
    })
    .join("\n");
}
