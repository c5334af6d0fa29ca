{
  description = "Cardflow: local-first step-by-step workflows beside a local LLM";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in {
      devShells = forAll (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.python311
            pkgs.figlet
            pkgs.tmux
            pkgs.git
            pkgs.sqlite
            pkgs.cmake   # llama-cpp-python compiles llama.cpp for the embedded model
            pkgs.gcc
          ];
          shellHook = ''
            # Everything stays inside this checkout: .venv here, data in the usual XDG dir.
            # This hook never runs git pull and never writes outside the repository.
            set -e
            repo="$PWD"
            if [ ! -x "$repo/.venv/bin/python" ]; then
              echo "Creating .venv with $(python3 --version)"
              python3 -m venv "$repo/.venv"
            fi
            if [ ! -f "$repo/.venv/.core-installed" ] || [ "$repo/pyproject.toml" -nt "$repo/.venv/.core-installed" ]; then
              "$repo/.venv/bin/python" -m pip install --quiet --upgrade pip
              "$repo/.venv/bin/python" -m pip install --quiet -e "$repo"
              touch "$repo/.venv/.core-installed"
            fi
            # A GPU, when nvidia-smi answers, speeds the embedded model: scripts/install-llm.sh then
            # builds llama.cpp with -DGGML_CUDA=on (the same test as `make`), and the embedded backend
            # offloads its layers. Without one nothing changes. `--print-cmake-args` shows the flags.
            if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
              echo "NVIDIA GPU found: the embedded model builds with GGML_CUDA=on"
            fi
            "$repo/scripts/install-llm.sh" "$repo/.venv/bin/python" --background || true
            export PATH="$repo/.venv/bin:$PATH"
            set +e
            # As the seed does: start the app in a detached tmux session and open it in the browser.
            # CARDFLOW_NO_AUTOSTART=1 skips this; `tmux attach -t cardflow` shows the server's log.
            if [ -t 0 ] && [ -z "''${CARDFLOW_NO_AUTOSTART:-}" ] && ! tmux has-session -t cardflow 2>/dev/null; then
              tmux new-session -d -s cardflow "$repo/.venv/bin/cardflow serve"
              echo "Cardflow is starting in tmux session 'cardflow' at http://127.0.0.1:5001"
            fi
            figlet Cardflow 2>/dev/null || echo "Cardflow"
            echo "cardflow serve      - run the app at http://127.0.0.1:5001 (opens your browser)"
            echo "cardflow doctor     - check the installation"
            echo "cardflow notebook start|stop|status - JupyterLab beside the app (needs .[notebook])"
          '';
        };
      });
    };
}
