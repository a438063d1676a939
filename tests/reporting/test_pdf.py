"""WeasyPrint locked down: only bundled static files, nothing from the network or the disk, a time limit."""

import gc
import time

import pytest
import weasyprint

from core import pdf as core_pdf
from core.pdf import STATIC_PREFIX, RenderTimeout, StaticOnlyFetcher

pytestmark = pytest.mark.unit


def test_the_fetcher_serves_the_bundled_stylesheet():
    response = StaticOnlyFetcher()(STATIC_PREFIX + "css/report.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        STATIC_PREFIX + "../config/settings/base.py",
        STATIC_PREFIX + "no/such/file.css",
        "data:text/plain,hello",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher()(url)


def test_a_document_pointing_outside_renders_without_fetching_it(tmp_path, caplog):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for reports")
    html = f'<html><body><p>Hej</p><img src="file://{secret}" alt="x"><img src="http://127.0.0.1:9/x.png" alt="y"></body></html>'

    document = weasyprint.HTML(string=html, base_url=core_pdf.BASE_URL, url_fetcher=StaticOnlyFetcher()).render()

    assert len(document.pages) == 1
    refused = [record.getMessage() for record in caplog.records if record.name == "weasyprint"]
    assert len(refused) == 2 and all("Reports may only use bundled static files" in m for m in refused)
    caplog.clear()  # WeasyPrint logs each refused image as an error: expected here


def test_a_render_that_runs_too_long_is_stopped(settings):
    """A real WeasyPrint render of a very long document, stopped at the limit (SIGALRM)."""
    settings.KVARTER_REPORT_RENDER_SECONDS = 1
    rows = "".join(f"<tr><td>{n}</td><td>Bäckby</td><td>{n * 7}</td></tr>" for n in range(40_000))
    html = f'<html lang="en"><body><h1>Long</h1><table>{rows}</table></body></html>'

    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        core_pdf.render_pdf(html)
    assert time.monotonic() - started < 3


def test_the_limit_holds_when_the_first_signal_is_lost():
    """A signal can land in a garbage-collector callback or an `except Exception` and be lost; the limit fires again."""
    lost: list[RenderTimeout] = []
    started = time.monotonic()
    with pytest.raises(RenderTimeout), core_pdf._time_limit(1):
        while time.monotonic() - started < 5:
            if lost:
                sum(range(10_000))
                continue
            try:
                sum(range(10_000))
            except RenderTimeout as error:  # where Python (or the renderer) swallows it
                lost.append(error)
    assert len(lost) == 1
    assert time.monotonic() - started < 2
    assert gc.isenabled()  # paused for the render only
