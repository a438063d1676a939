"""The README's quick start is a contract: two commands that must exist and work."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_quick_start_is_make_demo_and_make_test():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]

    commands = re.findall(r"^(make \w+)", quick_start, flags=re.MULTILINE)

    assert commands == ["make demo", "make test"]


def test_makefile_has_the_quick_start_targets():
    # `make -n` prints what a target would run without running it.
    for target in ("demo", "test"):
        result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
