// The header-parameter parser @fastify/busboy uses for Content-Type and Content-Disposition
// (quoting, RFC 5987 `filename*`, UTF-8 names). It ships without a declaration of its own.
declare module "@fastify/busboy/lib/utils/parseParams" {
  /** `["form-data", ["name", "file"], ["filename", "a.png"]]`: the value first, then key/value pairs. */
  function parseParams(header: string): [string, ...[string, string][]];
  export = parseParams;
}
