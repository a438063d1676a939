"""Kvarter's rich-but-safe text: a small Markdown for narratives people type in the app.

Coordinators write paragraphs, **bold**, *italic*, lists, `### headings` and
links; nothing else. Markdown is parsed by markdown-it-py with raw HTML
switched off, and the result is cleaned again by nh3 (an allow-list
sanitiser), so whatever is typed cannot smuggle in scripts, styles, images or
links to anything but http(s) and mailto, in the app or in a PDF.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "code", "fence", "html_block", "html_inline", "table"], ignoreInvalid=True
)


def render_rich_text(text: str) -> SafeString:
    # Headings start at level 3: the page or report around the text owns h1 and h2.
    html = _markdown.render(text or "")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    html = html.replace("<h5>", "<h4>").replace("</h5>", "</h4>").replace("<h6>", "<h4>").replace("</h6>", "</h4>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above
