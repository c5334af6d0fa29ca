"""The embedded runtime's build: only the text runtime, native CPU flags, CUDA when a GPU answers."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.needs_model import require_model

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-llm.sh"
SKIPPED = ("-DLLAVA_BUILD=OFF", "-DLLAMA_BUILD_TOOLS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
           "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_SERVER=OFF")
# The kernels the assistant's margins were measured with (install-llm.sh, BASELINE).
BASELINE = ("-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON",
            "-DGGML_BMI2=ON")


def cmake_args(tmp_path: Path, nvidia_smi: str | None, user_args: str | None = None,
               hosttype: str | None = None) -> list[str]:
    """What install-llm.sh would pass, with PATH holding only the basics and, maybe, a fake nvidia-smi."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("bash", "dirname", "cat"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    if nvidia_smi is not None:
        fake = bin_dir / "nvidia-smi"
        fake.write_text(f"#!{shutil.which('bash')}\n{nvidia_smi}\n")
        fake.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    if user_args is not None:
        env["CMAKE_ARGS"] = user_args
    if hosttype is not None:
        env["HOSTTYPE"] = hosttype  # bash keeps an inherited one
    out = subprocess.run([str(SCRIPT), sys.executable, "--print-cmake-args"], env=env, capture_output=True,
                         text=True, timeout=30, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_without_a_gpu_only_the_text_runtime_is_built(tmp_path):
    args = cmake_args(tmp_path, nvidia_smi=None)
    assert set(SKIPPED) <= set(args)
    assert not any("CUDA" in a for a in args)


def test_a_gpu_that_answers_enables_cuda(tmp_path):
    args = cmake_args(tmp_path, nvidia_smi='echo "GPU 0: NVIDIA Fake (UUID: GPU-0)"; exit 0')
    assert "-DGGML_CUDA=on" in args and set(SKIPPED) <= set(args)


def test_an_nvidia_smi_that_fails_changes_nothing(tmp_path):
    """nvidia-smi installed but no driver or no device: it exits non-zero, and the build stays CPU-only."""
    args = cmake_args(tmp_path, nvidia_smi='echo "NVIDIA-SMI has failed" >&2; exit 9')
    assert not any("CUDA" in a for a in args)


def test_the_users_cmake_args_come_last_and_win(tmp_path):
    args = cmake_args(tmp_path, nvidia_smi=None, user_args="-DGGML_NATIVE=OFF -DGGML_BLAS=ON")
    assert args[-2:] == ["-DGGML_NATIVE=OFF", "-DGGML_BLAS=ON"]


@pytest.mark.model
def test_the_embedded_backend_offloads_when_llama_can(monkeypatch):
    require_model()
    import llama_cpp

    from cardflow.chat.backends.embedded import gpu_layers

    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: True)
    assert gpu_layers() == -1
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: False)
    assert gpu_layers() == 0


def test_the_flake_uses_the_same_detection():
    text = (ROOT / "flake.nix").read_text()
    assert "nvidia-smi >/dev/null 2>&1" in text and "scripts/install-llm.sh" in text
    assert os.access(SCRIPT, os.X_OK)


def fake_venv(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A venv whose python answers every call with success ("installed": yes) and logs its arguments."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    fake_python = venv / "bin" / "python"
    fake_python.write_text(f"#!{shutil.which('bash')}\necho \"$*\" >> {calls}\nexit 0\n")
    fake_python.chmod(0o755)
    return venv, fake_python, calls


def test_a_build_under_way_is_waited_for_even_when_the_package_already_looks_installed(tmp_path):
    # pip writes the package's metadata before it has finished installing its files, so "installed"
    # can answer yes while the background build is still at work; make test's second pass must wait.
    venv, fake_python, calls = fake_venv(tmp_path)
    finished = tmp_path / "finished"
    key = build_key(fake_python)  # what the build under way writes when it is done
    build = subprocess.Popen([shutil.which("bash"), "-c",
                              f"read -t 20 line; echo {key} > {venv / 'llm-build-key'}; touch {finished}"],
                             stdin=subprocess.PIPE, text=True)
    (venv / "llm-installing").write_text(str(build.pid))
    script = subprocess.Popen([str(SCRIPT), str(fake_python)], stdout=subprocess.PIPE, text=True)
    try:
        assert "still being installed" in script.stdout.readline()  # it found the build and waits on it
        assert script.poll() is None
        build.communicate("go\n", timeout=20)  # the build ends
        assert script.wait(timeout=30) == 0
    finally:
        build.kill()
        script.kill()
    assert finished.exists()
    assert "-m pip" not in calls.read_text()  # nothing was built a second time


def build_key(python: Path) -> str:
    out = subprocess.run([str(SCRIPT), str(python), "--print-build-key"], capture_output=True, text=True,
                         timeout=30, check=True)
    return out.stdout.strip()


def cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def test_an_x86_cpu_with_avx2_gets_the_fixed_kernels_and_any_other_cpu_its_own(tmp_path):
    """Native kernels on a Xeon with AVX-512 and AMX crashed (AMX) or turned real-model decisions
    (AVX-512) on 2026-12-05: on x86-64 the build is for one fixed instruction set."""
    here = cmake_args(tmp_path, nvidia_smi=None)
    fixed = platform.machine() == "x86_64" and {"avx", "avx2", "fma", "f16c", "bmi2"} <= cpu_flags()
    assert (set(BASELINE) <= set(here)) == fixed
    assert ("-DGGML_NATIVE=ON" in here) == (not fixed)
    elsewhere = cmake_args(tmp_path / "arm", nvidia_smi=None, hosttype="aarch64")
    assert "-DGGML_NATIVE=ON" in elsewhere and not set(BASELINE) & set(elsewhere)


def test_a_runtime_built_with_other_flags_is_built_again_from_a_wheel_of_its_own_key(tmp_path):
    """An installed llama-cpp-python of the right version but built otherwise (an older script's flags,
    another CPU) is replaced; a wheel is reused only from the folder of the same build key."""
    venv, fake_python, calls = fake_venv(tmp_path)
    key = build_key(fake_python)
    wheels = tmp_path / "cache" / "cardflow" / "llama-wheels" / key
    wheels.mkdir(parents=True)
    (wheels / "llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl").write_text("")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "CMAKE_ARGS": ""}

    def run() -> str:
        calls.write_text("")
        out = subprocess.run([str(SCRIPT), str(fake_python)], env=env, capture_output=True, text=True,
                             timeout=60, check=False)
        assert out.returncode == 0, out.stderr
        return calls.read_text()

    (venv / "llm-build-key").write_text("an-older-build\n")
    done = run()
    assert f"install --disable-pip-version-check --force-reinstall --no-deps --quiet {wheels}" in done
    assert "-m pip wheel" not in done  # the wheel of this key was reused, not built again
    assert (venv / "llm-build-key").read_text().strip() == key
    assert "-m pip" not in run()  # now it is installed as this build: nothing more to do


def test_a_build_with_no_wheel_of_its_key_is_built_into_a_folder_of_its_own_and_moved_whole(tmp_path):
    venv, fake_python, calls = fake_venv(tmp_path)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "CMAKE_ARGS": ""}
    out = subprocess.run([str(SCRIPT), str(fake_python)], env=env, capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 0, out.stderr
    key = build_key(fake_python)
    built = [line for line in calls.read_text().splitlines() if line.startswith("-m pip wheel")]
    assert len(built) == 1 and "--no-cache-dir" in built[0]
    folders = sorted(p.name for p in (tmp_path / "cache" / "cardflow" / "llama-wheels").iterdir())
    assert folders == [key]  # the part folder became the key's, nothing half-built is left
    assert f"-w {tmp_path / 'cache' / 'cardflow' / 'llama-wheels' / key}.part." in built[0]
    assert (venv / "llm-build-key").read_text().strip() == key
