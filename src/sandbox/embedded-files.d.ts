// Runtime files imported `with { type: "file" }`: Bun answers their path (in `/$bunfs/` once
// compiled) instead of their contents.
declare module "pyodide/pyodide.asm.mjs" {
  const path: string;
  export default path;
}
declare module "pyodide/pyodide.asm.wasm" {
  const path: string;
  export default path;
}
declare module "pyodide/python_stdlib.zip" {
  const path: string;
  export default path;
}
declare module "@jitl/quickjs-wasmfile-release-sync/wasm" {
  const path: string;
  export default path;
}
