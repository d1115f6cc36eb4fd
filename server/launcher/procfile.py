"""Read the Procfile: the one definition of how each role runs, for the launcher and the tests alike."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

PROCFILE = Path(__file__).resolve().parents[2] / "Procfile"


def roles() -> dict[str, str]:
    lines = PROCFILE.read_text().splitlines()
    return {
        name.strip(): cmd.strip() for name, _, cmd in (line.partition(":") for line in lines) if cmd.strip()
    }


def command(role: str, env: dict[str, str]) -> list[str]:
    """The role's command line with ${VAR:-default} expanded from env, run from this interpreter's venv."""
    line = roles()[role]
    expanded = subprocess.run(
        ["bash", "-c", f"echo {line}"], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    argv = shlex.split(expanded)
    bin_dir = Path(sys.executable).parent
    if argv[0] == "python":
        argv[0] = sys.executable
    elif (bin_dir / argv[0]).exists():
        argv[0] = str(bin_dir / argv[0])
    return argv
