#!/usr/bin/env bash
# mypy --strict over the import package as it installs: the root folders are mapped under
# adaptive_react/ by pyproject's package-dir, which mypy cannot follow through the editable
# finder, so a throwaway tree of symlinks reproduces the installed layout.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shim="$(mktemp -d)"
trap 'rm -rf "$shim"' EXIT
mkdir -p "$shim/adaptive_react"
for f in "$root"/adaptive_react/*; do ln -s "$f" "$shim/adaptive_react/$(basename "$f")"; done
for d in state prompts nodes graph analysis learning tools llm; do
  [ -d "$root/$d" ] && ln -s "$root/$d" "$shim/adaptive_react/$d"
done
cd "$shim"
mypy --config-file "$root/pyproject.toml" -p adaptive_react "$@"
