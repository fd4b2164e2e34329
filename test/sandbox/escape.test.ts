/**
 * Attempts to leave the sandbox. Each must fail inside the sandbox: no host file, socket,
 * process, environment variable or JavaScript global may be reached from user code.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { SandboxRequest } from "../../src/sandbox/types.ts";
import { runFailing, useSandbox } from "./sandbox-fixture.ts";

const canary = `kiln-canary-${crypto.randomUUID()}`;
process.env.KILN_SANDBOX_CANARY = canary;
const sandbox = useSandbox({ workers: 1 });

let connections = 0;
let server: ReturnType<typeof Bun.serve> | undefined;
beforeAll(() => {
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => { connections++; return new Response(canary); } });
});
afterAll(() => server?.stop(true));

/** Runs an attack that may fail or return; either way the canary must not come back. */
async function attempt(request: SandboxRequest): Promise<string> {
  let seen: string;
  try {
    seen = JSON.stringify(await sandbox().run(request));
  } catch (error) {
    seen = String(error);
  }
  expect(seen).not.toContain(canary);
  return seen;
}

const python = (code: string): SandboxRequest => ({ language: "python3", code, inputs: {} });
const javascript = (code: string): SandboxRequest => ({ language: "javascript", code, inputs: {} });

describe("python3 escapes", () => {
  test("host files are not there", async () => {
    const error = await runFailing(sandbox(), python("def main():\n    return {'r': open('/etc/passwd').read()}"));
    expect(error.message).toContain("FileNotFoundError");
    await attempt(python("import os\ndef main():\n    return {'r': os.listdir('/'), 'home': os.listdir('/home')}"));
    await attempt(python("def main():\n    return {'r': open('/proc/self/environ').read()}"));
  });

  test("the environment is empty of host variables", async () => {
    const seen = await attempt(python("import os\ndef main():\n    return {'env': dict(os.environ)}"));
    expect(seen).toContain("HOME");
  });

  test("the js and pyodide modules cannot be imported", async () => {
    for (const code of [
      "import js\ndef main():\n    return {'env': str(js.process.env)}",
      "import pyodide_js\ndef main():\n    return {}",
      "from pyodide.code import run_js\ndef main():\n    return {'r': str(run_js('process.env'))}",
      "from js import fetch\ndef main():\n    return {}",
      "def main():\n    return {'r': str(__import__('js').process.env)}",
      "import importlib\ndef main():\n    return {'r': str(importlib.import_module('js'))}",
      "import ctypes\ndef main():\n    return {}",
      "import subprocess\ndef main():\n    return {'r': subprocess.run(['id'], capture_output=True).stdout.decode()}",
      "import socket\ndef main():\n    return {}",
    ]) {
      const error = await runFailing(sandbox(), python(code));
      expect(error.message).toContain("ImportError");
    }
  });

  test("reaching the bridge through sys.modules finds nothing that runs JavaScript", async () => {
    const code = `
import sys
def main():
    found = []
    for name in ("js", "pyodide_js"):
        found.append(str(sys.modules.get(name)))
    code_module = sys.modules.get("pyodide.code")
    if code_module is not None:
        try:
            found.append(str(code_module.run_js("process.env.KILN_SANDBOX_CANARY")))
        except BaseException as error:
            found.append("run_js failed: " + type(error).__name__)
    return {"found": found}`;
    const seen = await attempt(python(code));
    expect(seen).toContain("None");
  });

  test("every JavaScript object reachable from Python modules is inert", async () => {
    // Walk every module's globals and the attributes one level down, and try the classic
    // constructor.constructor route to host code on anything that is a JS proxy.
    const code = `
import sys
def main():
    tried = 0
    leaks = []
    seen = set()
    def probe(obj):
        nonlocal tried
        if id(obj) in seen or "JsProxy" not in type(obj).__name__ and "Js" not in type(obj).__name__:
            return
        seen.add(id(obj))
        tried += 1
        for attack in (
            lambda o: o.constructor.constructor("return process.env.KILN_SANDBOX_CANARY")(),
            lambda o: o.constructor.constructor("return globalThis.process")(),
            lambda o: o.eval("process.env"),
            lambda o: o.process.env.KILN_SANDBOX_CANARY,
            lambda o: o.require("node:fs").readFileSync("/etc/hostname", "utf8"),
            lambda o: o._module.FS.filesystems.NODEFS,
            lambda o: o.mountNodeFS("/host", "/"),
        ):
            try:
                leaks.append(str(attack(obj)))
            except BaseException:
                pass
    for module in list(sys.modules.values()):
        for value in list(getattr(module, "__dict__", {}).values()):
            probe(value)
            for inner in list(getattr(value, "__dict__", {}).values()) if hasattr(value, "__dict__") else []:
                probe(inner)
    return {"tried": tried, "leaks": leaks}`;
    const seen = await attempt(python(code));
    expect(JSON.parse(seen).tried).toBeGreaterThan(0);
    expect(JSON.parse(seen).leaks.filter((leak: string) => leak !== "None" && leak !== "undefined")).toEqual([]);
  });

  test("no process can be started", async () => {
    for (const code of [
      "import os\ndef main():\n    return {'r': os.system('touch /tmp/kiln-escaped')}",
      "import os\ndef main():\n    return {'r': os.popen('id').read()}",
      "import sys\ndef main():\n    return {'r': sys.modules['posix'].system('id')}",
    ]) {
      const error = await runFailing(sandbox(), python(code));
      expect(error.message).toContain("not available in the sandbox");
    }
    expect(await Bun.file("/tmp/kiln-escaped").exists()).toBe(false);
  });

  test("no socket reaches a local server", async () => {
    const port = server!.port;
    const code = `
import sys
def main():
    attempts = []
    for name in ("_socket", "socket"):
        module = sys.modules.get(name)
        if module is None:
            continue
        try:
            s = module.socket()
            s.connect(("127.0.0.1", ${port}))
            s.send(b"GET / HTTP/1.0\\r\\n\\r\\n")
            attempts.append(s.recv(1000).decode())
        except BaseException as error:
            attempts.append(type(error).__name__)
    return {"attempts": attempts}`;
    await attempt(python(code));
    await runFailing(sandbox(), python(`import urllib.request\ndef main():\n    return {'r': urllib.request.urlopen('http://127.0.0.1:${port}/').read().decode()}`));
    expect(connections).toBe(0);
  });

  test("os._exit does not take the worker or the host down", async () => {
    await runFailing(sandbox(), python("import os\ndef main():\n    os._exit(1)"));
    expect(await sandbox().run(python("def main():\n    return {'alive': True}"))).toEqual({ alive: true });
  });
});

describe("javascript escapes", () => {
  test("no host globals exist", async () => {
    const code = `function main() {
      return { types: [typeof process, typeof Bun, typeof fetch, typeof require, typeof XMLHttpRequest, typeof WebSocket, typeof setTimeout] };
    }`;
    expect(await sandbox().run(javascript(code))).toEqual({ types: Array(7).fill("undefined") });
  });

  test("constructor tricks reach only QuickJS's own global", async () => {
    const code = `function main() {
      const g = globalThis.constructor.constructor("return this")();
      const f = (() => {}).constructor("return typeof process + typeof Bun + typeof require")();
      return { same: g === globalThis, f };
    }`;
    expect(await sandbox().run(javascript(code))).toEqual({ same: true, f: "undefinedundefinedundefined" });
  });

  test("using host APIs fails", async () => {
    for (const code of [
      "function main() { return { env: process.env.KILN_SANDBOX_CANARY }; }",
      "function main() { return { text: Bun.file('/etc/passwd') }; }",
      "function main() { fetch('http://127.0.0.1/'); return {}; }",
      "function main() { return { fs: require('fs').readFileSync('/etc/passwd', 'utf8') }; }",
    ]) {
      const error = await runFailing(sandbox(), javascript(code));
      expect(["code", "invalid_result"]).toContain(error.kind);
    }
    expect(connections).toBe(0);
  });
});

describe("jinja2 escapes", () => {
  test("prototype-chain lookups do not reach host code", async () => {
    for (const template of [
      `{{ "".constructor.constructor("return process")() }}`,
      `{{ "".constructor.constructor("return process.env.KILN_SANDBOX_CANARY")() }}`,
      `{{ range.constructor("return process.env.KILN_SANDBOX_CANARY")() }}`,
      `{{ cycler.constructor("return process")().env }}`,
      `{% set f = joiner["constructor"] %}{{ f("return process.env.KILN_SANDBOX_CANARY")() }}`,
      `{{ x.__proto__.constructor.constructor("return process")() }}`,
      `{{ constructor.constructor("return process.env.KILN_SANDBOX_CANARY")() }}`,
      `{{ x.toString.call.constructor("return process")() }}`,
      `{{ [].map.constructor("return process.env.KILN_SANDBOX_CANARY")() }}`,
    ]) {
      await attempt({ language: "jinja2", code: template, inputs: { x: {} } });
    }
  });
});
