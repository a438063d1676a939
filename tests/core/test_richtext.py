"""The coordinators' Markdown: what they mean to write survives, nothing hostile does (ASVS 1.2.2, 1.3.1, 1.3.5)."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.richtext import render_rich_text

pytestmark = pytest.mark.unit


def test_the_small_markdown_renders():
    html = render_rich_text("# Summer\n\n**Bold** and *italic*, a [link](https://raster.nl).\n\n- one\n- two")

    assert "<h3>Summer</h3>" in html
    assert "<strong>Bold</strong>" in html and "<em>italic</em>" in html
    assert '<a href="https://raster.nl" rel="noopener noreferrer nofollow">link</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "[click](  javascript:alert(1))",
        "<javascript:alert(1)>",
        '<a href="https://x.example" onclick="alert(1)">x</a>',
        "<style>body{display:none}</style>",
        "<iframe src=https://evil.example></iframe>",
        "![pixel](https://tracker.example/p.gif)",
        '<svg onload="alert(1)">',
        "<form action=https://evil.example><input name=password></form>",
    ],
)
def test_nothing_hostile_survives(hostile):
    html = str(render_rich_text(f"Before\n\n{hostile}\n\nafter"))

    _assert_only_allowed_markup(html)
    assert "before" in html.lower() and "after" in html  # the text around it is kept


ALLOWED = {"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "a", "blockquote"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def _assert_only_allowed_markup(html: str) -> None:
    """Parsed as a browser would: only allowed elements, only `href` on links, only safe schemes."""
    parser = _Markup()
    parser.feed(html)
    for tag, attrs in parser.elements:
        assert tag in ALLOWED, html
        for name, value in attrs:
            assert (tag, name) in {("a", "href"), ("a", "rel")}, html
            if name == "href":
                assert urlsplit((value or "").strip()).scheme.lower() in {"http", "https", "mailto", ""}, html


@given(st.text(alphabet=st.sampled_from(list("<>/\"'=:;&# *[]()!-_\nabcjsvptrxeio0123456789")), max_size=120))
def test_whatever_is_typed_only_allowed_markup_comes_out(text):
    _assert_only_allowed_markup(str(render_rich_text(text)))


@given(st.sampled_from(["javascript", "JAVASCRIPT", "data", "vbscript", "file"]), st.text(max_size=20))
def test_a_link_never_keeps_a_dangerous_scheme(scheme, rest):
    _assert_only_allowed_markup(str(render_rich_text(f"[link]({scheme}:{rest})")))
