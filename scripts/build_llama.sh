#!/usr/bin/env bash
# Build (once) and install llama-cpp-python with its server extra.
#
# Why the flags: llama-cpp-python has no binary wheel on PyPI, and a default build uses
# -march=native; our CPUs advertise AMX, the VM faults on it, and the first inference
# segfaults. GGML_NATIVE=OFF builds the portable AVX2 variant. --no-cache-dir because
# pip's wheel cache ignores CMAKE_ARGS and would hand back a native build.
#
# The wheel is kept in $ADAPTIVE_REACT_CACHE/llama-wheel (default ~/.cache/adaptive-react)
# with a stamp of the version and flags it was built with, so later runs (and later
# environments) install it in seconds instead of rebuilding for ~4 minutes.
#
# Usage: bash scripts/build_llama.sh        (PYTHON=/path/to/python to pick the interpreter)
set -euo pipefail

VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
FLAGS="-DGGML_NATIVE=OFF"
PY="${PYTHON:-python}"
CACHE="${ADAPTIVE_REACT_CACHE:-$HOME/.cache/adaptive-react}"
WHEELS="$CACHE/llama-wheel"
STAMP="$WHEELS/llama_cpp_python-$VERSION.stamp"
WANT="version=$VERSION cmake_args=$FLAGS"

installed_ok() {
  "$PY" - "$VERSION" <<'PY' 2>/dev/null
import importlib.util, sys
import llama_cpp
mods = ("uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
ok = llama_cpp.__version__ == sys.argv[1] and all(importlib.util.find_spec(m) for m in mods)
sys.exit(0 if ok else 1)
PY
}

if installed_ok && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "llama-cpp-python $VERSION (server extra) already installed from $WHEELS"
  exit 0
fi

mkdir -p "$WHEELS"
wheel="$(ls "$WHEELS"/llama_cpp_python-"$VERSION"-*.whl 2>/dev/null | head -n 1 || true)"
if [ -n "$wheel" ] && { [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; }; then
  # A wheel without our stamp may be a native build (it would segfault): rebuild it.
  echo "cached wheel $wheel has no stamp for '$WANT'; rebuilding"
  rm -f "$wheel"
  wheel=""
fi
if [ -z "$wheel" ]; then
  echo "building llama-cpp-python $VERSION with CMAKE_ARGS=$FLAGS (about 4 minutes on 2 cores)"
  start=$(date +%s)
  CMAKE_ARGS="$FLAGS" "$PY" -m pip wheel --no-cache-dir --no-deps \
    "llama-cpp-python==$VERSION" -w "$WHEELS"
  echo "built in $(( $(date +%s) - start )) s"
  wheel="$(ls "$WHEELS"/llama_cpp_python-"$VERSION"-*.whl | head -n 1)"
fi
echo "$WANT" > "$STAMP"

"$PY" -m pip install --force-reinstall --no-deps "$wheel"
# The server extra's dependencies come from the index; the package itself must come from
# our wheel, never from a second source build.
"$PY" -m pip install "llama-cpp-python[server]==$VERSION" \
  --find-links "$WHEELS" --only-binary llama-cpp-python
installed_ok
echo "llama-cpp-python $VERSION installed from $wheel"
