/** Kiln's version, reported by `kiln version`, `/health`, `/v1/` and the `X-Version` header. */
export const KILN_VERSION = "0.1.0";
