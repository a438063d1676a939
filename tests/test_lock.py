"""The lock files say what pyproject.toml pins: `make lock` was run after the last change.

A fresh machine (`make install`) and the image (Dockerfile) install from the
lock files, with hashes; a pin changed in pyproject.toml without a new lock
would leave them installing the old version.
"""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)")


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked(path: Path) -> dict[str, str]:
    return {
        _name(match.group(1)): match.group(2) for line in path.read_text().splitlines() if (match := PIN.match(line))
    }


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PROJECT["optional-dependencies"]


@pytest.mark.parametrize(
    ("lock", "groups"),
    [
        ("base.txt", []),
        ("production-extras.txt", ["s3", "sentry"]),
        ("dev.txt", ["dev", "s3", "sentry", "bench"]),
    ],
)
def test_every_pin_is_locked_at_its_version(lock, groups):
    wanted = _pins(PROJECT["dependencies"] + [req for group in groups for req in EXTRAS[group]])
    locked = _locked(ROOT / "requirements" / lock)

    assert {name: locked.get(name) for name in wanted} == wanted, f"run `make lock`: {lock} is behind pyproject.toml"


def test_every_locked_file_has_its_hashes():
    for lock in (ROOT / "requirements").glob("*.txt"):
        text = lock.read_text()
        assert text.count("==") == len(re.findall(r"^[A-Za-z0-9].*==.*\\$", text, re.M)), lock
        assert "--hash=sha256:" in text
