"""The program text that runs a candidate's code against test cases inside the sandbox.

It is kept apart from ``code_examples`` because it never runs in the agent's process:
``code_examples`` takes the ``BODY`` string and prepends one line of configuration. The
body must stay standard-library only (the sandbox runs ``python -I``) and must not end with
a bare expression or define ``result`` (the sandbox runner prints either).

Why it is shaped the way it is:

* The candidate runs as a module named ``candidate``, so a demo under
  ``if __name__ == "__main__":`` (prints, ``input()``, ``doctest.testmod()``) does not run.
* Everything the candidate prints while loading or during a case goes to a bounded sink,
  never to the real stdout, and each result line carries a marker chosen per harness: a
  program cannot fake a pass by printing. (It is the same interpreter, so a program that
  deliberately inspects its caller's frames could find the marker; the sandbox bounds what
  such a program can do, not whether it is honest.)
* Each case has its own alarm, so one endless case costs its own time limit, not the run's.
* Values are compared by type family (a list is not a tuple, a custom ``__eq__`` that says
  yes to everything cannot pass), floats with a tolerance for noise and for the precision
  the expected value was written with.
"""

BODY = r'''
import ast
import io
import json
import math
import numbers
import signal
import sys
import types

_OUT = sys.stdout
_MARKER = _CFG["marker"]
_LIMIT = float(_CFG["case_timeout_s"])
_GOT_CHARS = 200
_SINK_CHARS = 4000


class _Sink(io.StringIO):
    """Keeps the first few thousand characters a candidate prints; drops the rest."""

    def write(self, text):
        text = str(text)
        super().write(text[: max(0, _SINK_CHARS - self.tell())])
        return len(text)


class _Late(BaseException):
    """Raised by the alarm; a BaseException so a candidate's ``except Exception`` keeps out."""


def _on_alarm(signum, frame):
    raise _Late()


signal.signal(signal.SIGALRM, _on_alarm)


def _emit(record):
    _OUT.write("\n" + _MARKER + " " + json.dumps(record) + "\n")
    _OUT.flush()


def _bounded(text):
    return text if len(text) <= _GOT_CHARS else text[: _GOT_CHARS - 3] + "..."


def _show(value):
    try:
        return _bounded(repr(value))
    except BaseException as exc:  # a broken __repr__ or an int too long to print
        return "<unprintable " + type(value).__name__ + ": " + type(exc).__name__ + ">"


def _describe(exc):
    text = type(exc).__name__
    try:
        message = str(exc)
    except BaseException:
        message = ""
    return _bounded(text + (": " + message if message else ""))


def _guarded(action, sink):
    """Run ``action`` with stdout captured and the alarm set; the alarm is always cleared."""
    sys.stdout = sink
    signal.setitimer(signal.ITIMER_REAL, _LIMIT)
    try:
        return action()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout = _OUT


def _plain(value):
    # numpy scalars are common in numeric answers; compare them as the Python value they hold.
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
        try:
            return value.item()
        except Exception:
            return value
    return value


def _places(want):
    text = repr(want)
    if "e" in text or "." not in text:
        return None
    return len(text.split(".")[1])


def _close(got, want):
    if got == want or math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
        return True
    places = _places(want)
    # "returns 3.14" for 3.14159...: a value written with 2+ decimals is read as rounded.
    return places is not None and places >= 2 and abs(got - want) <= 0.5 * 10 ** -places + 1e-12


def _same(got, want):
    got = _plain(got)
    if want is None:
        return got is None
    if isinstance(want, (bool, int, float)):
        if not isinstance(got, numbers.Real):
            return False
        try:
            # Exact for two integers; any other real (a float, a Fraction) as a float.
            if isinstance(want, float) or not isinstance(got, (bool, int)):
                return _close(float(got), float(want))
            return int(got) == int(want)
        except Exception:  # too large for a float, or a number type that will not convert
            return False
    if isinstance(want, complex):
        if not isinstance(got, (int, float, complex)):
            return False
        return abs(complex(got) - want) <= 1e-9 * max(1.0, abs(want))
    if isinstance(want, (str, bytes)):
        kind = type(want)  # exactly str or bytes: the expected value is a literal
        return isinstance(got, kind) and kind.__eq__(got, want) is True
    if isinstance(want, (list, tuple)):
        family = list if isinstance(want, list) else tuple
        if not isinstance(got, family):
            return False
        items = list(got)
        return len(items) == len(want) and all(_same(g, w) for g, w in zip(items, want))
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return False
        keys = list(dict.keys(got))
        if len(keys) != len(want) or any(k not in want for k in keys):
            return False
        return all(_same(dict.__getitem__(got, k), want[k]) for k in keys)
    if isinstance(want, (set, frozenset)):
        return isinstance(got, (set, frozenset)) and set(got) == set(want)
    return False


def _printed_matches(printed, expected):
    if " ".join(printed.split()) == " ".join(expected.split()):
        return True
    try:
        return _same(ast.literal_eval(printed.strip()), ast.literal_eval(expected))
    except Exception:
        return False


def _alias(module, name):
    """The candidate's only public function, when it named it differently from the cases."""
    if not name or name in module.__dict__:
        return None
    own = [
        key for key, value in module.__dict__.items()
        if isinstance(value, types.FunctionType) and not key.startswith("_")
        and value.__module__ == module.__name__
    ]
    if len(own) == 1:
        module.__dict__[name] = module.__dict__[own[0]]
        return own[0]
    return None


def _load():
    module = types.ModuleType("candidate")
    sys.modules["candidate"] = module
    sink = _Sink()
    try:
        code = compile(_CFG["code"], "<candidate>", "exec")
        _guarded(lambda: exec(code, module.__dict__), sink)
    except _Late:
        return module, "loading the code did not finish within %g s" % _LIMIT
    except BaseException as exc:
        return module, "loading the code raised " + _describe(exc)
    return module, None


def _run_case(index, case, module, load_error):
    record = {"i": index}
    alias = _alias(module, case["target"])
    if alias:
        record["alias"] = alias
    sink = _Sink()

    def attempt():
        if case["setup"]:
            exec(compile(case["setup"], "<setup>", "exec"), module.__dict__)
        value = eval(compile(case["call"], "<case>", "eval"), module.__dict__)
        printed = sink.getvalue()
        style = case["style"]
        if style == "truthy":
            return bool(value), _show(value)
        if style == "doctest" and value is None and printed.strip():
            return _printed_matches(printed, case["expected"]), _bounded(printed.strip())
        return _same(value, ast.literal_eval(case["expected"])), _show(value)

    try:
        ok, got = _guarded(attempt, sink)
        record.update(status="passed" if ok else "failed", got=got)
    except _Late:
        record.update(status="timeout", error="did not return within %g s" % _LIMIT)
    except BaseException as exc:
        record.update(status="raised", error=_describe(exc))
    if load_error and record["status"] != "passed":
        record["load_error"] = load_error
    _emit(record)


def _main():
    module, load_error = _load()
    for index, case in enumerate(_CFG["cases"]):
        _run_case(index, case, module, load_error)


if __name__ == "__main__":
    _main()
'''
