"""The tablet's static files: the service worker precaches every file the pages load, and the hashed modules fit.

The pages load native ES modules (static/js/attendance/) with no build step,
so the import statements themselves are the list of what a tablet needs
offline. Production collects the files under hashed names
(core.staticfiles.HashedStaticFilesStorage): the hashed main.js must import
the hashed siblings, and the service worker must precache those names.
"""

import json
import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from activities.views.sessions import PRECACHED_STATIC

ROOT = Path(__file__).resolve().parents[2]
# The templates of the pages the service worker keeps: what they load is what a tablet needs offline.
TABLET_TEMPLATES = ["base.html", "activities/attendance/today.html", "activities/attendance/session.html"]
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")
COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*", re.DOTALL | re.MULTILINE)
# `import … from "x"`, `export … from "x"`, `import "x"` and `import("x")`: every way a module loads another.
IMPORT = re.compile(
    r"""\b(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']""",
)


def _imports(source: str) -> list[str]:
    return [left or right for left, right in IMPORT.findall(COMMENT.sub("", source))]


def _module_graph(entry: str, read) -> set[str]:
    """The module `entry` and everything it imports, directly or not, as paths relative to the static root."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for specifier in _imports(read(path)):
            # No import map and no bundler: a bare name ("lodash") would not load.
            assert specifier.startswith(("./", "../")), f"{path} imports {specifier!r}"
            todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), specifier)))
    return seen


def _read_source(path: str) -> str:
    found = finders.find(path)
    assert found, f"no static file {path}"
    return Path(found).read_text()


def _loaded_by_tablet_pages() -> tuple[set[str], set[str]]:
    """What the tablet pages' templates reference, and the module scripts among them."""
    referenced: set[str] = set()
    modules: set[str] = set()
    for name in TABLET_TEMPLATES:
        text = (ROOT / "templates" / name).read_text()
        referenced.update(STATIC_TAG.findall(text))
        modules.update(re.findall(r"""<script\s+type="module"\s+src="\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""", text))
    return referenced, modules


@pytest.mark.unit
def test_the_import_parser_finds_every_form_of_import():
    source = """
        /* import { nothing } from "./commented.js"; */
        // import "./commented-too.js";
        import { a,
          b } from "./page.js";
        import * as all from "../other/all.js";
        import "./side-effect.js";
        export { c } from "./again.js";
        const later = import("./later.js");
    """

    assert _imports(source) == ["./page.js", "../other/all.js", "./side-effect.js", "./again.js", "./later.js"]


@pytest.mark.unit
def test_the_service_worker_precaches_exactly_what_the_tablet_pages_load():
    referenced, modules = _loaded_by_tablet_pages()
    assert modules == {"js/attendance/main.js"}
    needed = set(referenced)
    for module in modules:
        needed |= _module_graph(module, _read_source)

    # Everything the pages load, each once, and nothing they no longer load.
    assert len(PRECACHED_STATIC) == len(set(PRECACHED_STATIC))
    assert set(PRECACHED_STATIC) == needed
    assert all(finders.find(path) for path in PRECACHED_STATIC)


@pytest.mark.unit
def test_every_attendance_module_is_loaded():
    """A module nothing imports any more is deleted, not left to be precached or forgotten."""
    _, modules = _loaded_by_tablet_pages()
    loaded = set().union(*(_module_graph(module, _read_source) for module in modules))
    on_disk = {f"js/attendance/{path.name}" for path in (ROOT / "static" / "js" / "attendance").glob("*.js")}

    assert on_disk == loaded


# Run with the production settings in a process of its own: collect the
# static files into a temporary STATIC_ROOT, then ask for the service worker.
COLLECT = """
import sys

import django
from django.test.utils import override_settings

django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client

with override_settings(STATIC_ROOT=sys.argv[1]):
    print(settings.STORAGES["staticfiles"]["BACKEND"])
    call_command("collectstatic", interactive=False, verbosity=0)
    response = Client().get("/attendance/sw.js", secure=True, headers={"host": "kvarter.example"})
    assert response.status_code == 200, response.status_code
    print(response.content.decode())
"""


@pytest.mark.integration
def test_collected_modules_import_their_hashed_siblings_and_the_service_worker_precaches_them(tmp_path):
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-enough-1234567890",
        "ALLOWED_HOSTS": "kvarter.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'static.sqlite3'}",
    }
    static_root = tmp_path / "static"

    result = subprocess.run(
        [sys.executable, "-c", COLLECT, str(static_root)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    backend, service_worker = result.stdout.split("\n", 1)
    assert backend == "core.staticfiles.HashedStaticFilesStorage"
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed_names = set(manifest.values())
    # The hashed main.js, and through it every module, imports hashed files that were collected.
    graph = _module_graph(manifest["js/attendance/main.js"], lambda path: (static_root / path).read_text())
    assert graph == {manifest[f"js/attendance/{name}"] for name in ("main.js", *_sibling_names())}
    assert graph <= hashed_names
    assert all((static_root / path).is_file() for path in graph)
    # The service worker precaches those hashed URLs, and nothing unhashed.
    settings_json = re.search(r"const SETTINGS = (\{.*?\});", service_worker).group(1)
    precache = json.loads(settings_json)["precache"]
    assert precache == [f"/static/{manifest[path]}" for path in PRECACHED_STATIC]
    assert {f"/static/{path}" for path in graph} <= set(precache)
    # Only our modules are rewritten: vendored scripts are collected as they are.
    for path in ("vendor/bootstrap-5.3.9.bundle.min.js", "vendor/swagger-ui-bundle-5.31.0.js"):
        assert (static_root / manifest[path]).read_bytes() == (ROOT / "static" / path).read_bytes()


def _sibling_names() -> list[str]:
    return [path.name for path in (ROOT / "static" / "js" / "attendance").glob("*.js") if path.name != "main.js"]
