/**
 * The Python side of the python3 runtime, run once per interpreter before any user code. It
 * defines `_kiln_run(code, inputs_json) -> str`, which execs user code in fresh globals, calls
 * `main(**inputs)` and answers a JSON envelope, and it cuts every Python-level road to the
 * JavaScript bridge. The JavaScript side (`worker-hardening.ts`) cuts the same roads again from
 * below, so neither layer alone has to be perfect.
 */
export const pythonDriverSource = String.raw`
import builtins as _builtins
import json as _json
import os as _os
import sys as _sys
import traceback as _traceback

# Modules that reach the host (the JS bridge, native code, network, processes) or that let code
# walk around the import guard. Checked on the full dotted name and on every parent package.
_BLOCKED_MODULES = frozenset({
    "js", "pyodide_js", "_pyodide", "_pyodide_core", "pyodide", "micropip", "pyodide_http",
    "ctypes", "_ctypes", "cffi", "socket", "_socket", "ssl", "_ssl", "select", "selectors",
    "subprocess", "_posixsubprocess", "multiprocessing", "_multiprocessing", "pty", "signal",
    "_signal", "resource", "gc", "importlib", "_imp", "_frozen_importlib",
    "_frozen_importlib_external", "zipimport", "builtins", "posix", "_posixshmem",
    "urllib.request", "http.client", "http.server", "ftplib", "smtplib", "poplib", "imaplib",
    "webbrowser", "pdb",
})

_real_import = _builtins.__import__


def _is_blocked(name):
    parts = name.split(".")
    return any(".".join(parts[: i + 1]) in _BLOCKED_MODULES for i in range(len(parts)))


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and _is_blocked(name):
        raise ImportError(f"module '{name}' is not available in the sandbox")
    module = _real_import(name, globals, locals, fromlist, level)
    for item in fromlist or ():
        if isinstance(item, str) and _is_blocked(f"{name}.{item}"):
            raise ImportError(f"module '{name}.{item}' is not available in the sandbox")
    return module


def _blocked_call(*args, **kwargs):
    raise PermissionError("process creation is not available in the sandbox")


# Drop the import hooks that create the js / pyodide_js modules, and the modules themselves, so
# even code that gets around the guard cannot import them again.
_sys.meta_path[:] = [f for f in _sys.meta_path if "JsFinder" not in type(f).__name__]
for _name in list(_sys.modules):
    if _name.split(".")[0] in ("js", "pyodide_js"):
        del _sys.modules[_name]

for _name in ("system", "popen", "execv", "execve", "execvp", "execvpe", "spawnv", "spawnve",
              "fork", "forkpty", "posix_spawn", "posix_spawnp", "kill", "killpg", "_exit", "abort"):
    if hasattr(_os, _name):
        setattr(_os, _name, _blocked_call)
_posix = _sys.modules.get("posix")
if _posix is not None:
    for _name in ("system", "_exit", "abort", "kill", "fork", "execv", "execve", "posix_spawn"):
        if hasattr(_posix, _name):
            setattr(_posix, _name, _blocked_call)

_os.environ.clear()
_os.environ.update({"HOME": "/home/sandbox", "LANG": "C.UTF-8", "PATH": "/"})
_os.chdir("/tmp")

_SAFE_BUILTINS = {k: v for k, v in _builtins.__dict__.items() if k not in ("breakpoint", "input")}
_SAFE_BUILTINS["__import__"] = _guarded_import

_dumps = _json.dumps
_loads = _json.loads


class _InvalidResult(Exception):
    pass


def _user_traceback(error):
    frames = [f for f in _traceback.extract_tb(error.__traceback__) if f.filename == "<code>"]
    where = f" (line {frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def _kiln_run(code, inputs_json):
    try:
        inputs = _loads(inputs_json)
        scope = {"__name__": "__main__", "__builtins__": dict(_SAFE_BUILTINS)}
        exec(compile(code, "<code>", "exec"), scope)
        main = scope.get("main")
        if not callable(main):
            raise _InvalidResult("The code must define a function named main.")
        result = main(**inputs)
        if not isinstance(result, dict):
            raise _InvalidResult(
                f"The return value of main must be a dict, got {type(result).__name__}."
            )
        try:
            text = _dumps(result, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise _InvalidResult(f"The return value of main is not JSON-serialisable: {error}")
        return _dumps({"ok": True, "result": text})
    except _InvalidResult as error:
        return _dumps({"ok": False, "kind": "invalid_result", "message": str(error)})
    except KeyboardInterrupt:
        return _dumps({"ok": False, "kind": "timeout", "message": "timeout"})
    except MemoryError:
        return _dumps({"ok": False, "kind": "memory", "message": "memory"})
    except RecursionError as error:
        return _dumps({"ok": False, "kind": "code", "message": _user_traceback(error)})
    except SyntaxError as error:
        return _dumps({
            "ok": False,
            "kind": "code",
            "message": f"SyntaxError: {error.msg} (line {error.lineno})",
        })
    except BaseException as error:
        return _dumps({"ok": False, "kind": "code", "message": _user_traceback(error)})
`;
