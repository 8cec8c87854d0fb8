"""`statuswatch completion bash|zsh|fish`: scripts made from the parser, completing for real."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from statuswatch.commands import discover


def _script(shell: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "statuswatch", "completion", shell],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_knows_every_command_and_is_valid(shell: str, tmp_path: Path) -> None:
    script = _script(shell)
    for command in discover():
        assert command.NAME in script, f"{shell}: {command.NAME} missing"
    for option in ("only-problems", "config", "server", "test", "lock-timeout"):
        assert option in script  # fish writes `-l only-problems`, the others `--only-problems`
    path = tmp_path / f"statuswatch.{shell}"
    path.write_text(script)
    # Each shell checks its own syntax where it is installed (bash always is).
    if shell == "bash" or shutil.which(shell):
        checked = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True,
                                 timeout=60, check=False)  # fmt: skip
        assert checked.returncode == 0, checked.stderr
    hook = {
        "bash": "complete -o bashdefault -F _shtab_statuswatch statuswatch\n",
        "zsh": "#compdef statuswatch\n",
        "fish": "complete -c statuswatch",
    }[shell]
    assert hook in script
    assert script.endswith("\n")


def test_bash_completes_commands_options_choices_and_provider_ids(tmp_path: Path) -> None:
    path = tmp_path / "statuswatch.bash"
    path.write_text(_script("bash"))
    probe = f"""
source {path}
comp() {{
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
  COMPREPLY=()
  _shtab_statuswatch statuswatch "${{COMP_WORDS[-1]}}" "${{COMP_WORDS[-2]}}"
  echo "${{COMPREPLY[*]}}"
}}
comp statuswatch sta
comp statuswatch rem
comp statuswatch status --only
comp statuswatch -p cloudfl
comp statuswatch wait githu
comp statuswatch completion ""
comp statuswatch --color ""
"""
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "status",
        "remove",
        "--only-problems",
        "cloudflare",
        "github",
        "bash zsh fish",
        "auto always never",
    ]


def test_a_shell_it_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    from statuswatch.cli import main

    assert main(["completion", "tcsh"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("statuswatch: error: argument shell: invalid choice: 'tcsh'")
