"""Markdown is rendered to HTML that cannot run script, whatever the author wrote."""

from __future__ import annotations

import re

import pytest

from kb.text.markdown import EXTERNAL_REL, render, to_plain_text

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<img src="data:image/png;base64,AAAA">',
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil.example"><input name=a></form>',
    '<base href="https://evil.example/">',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">x</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<<script>script>alert(1)<</script>/script>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
]

FORBIDDEN = re.compile(
    r"<\s*(script|style|iframe|form|base|object|embed|svg|math|meta|link|input|video|source|details)\b"
    r"|\son\w+\s*=|=\s*[\"']?\s*(javascript|vbscript|data):|srcdoc|style\s*=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_rendered_markdown_contains_no_executable_html(vector: str) -> None:
    html = render(f"Some text.\n\n{vector}\n\nMore text.")
    assert not FORBIDDEN.search(html), html


def test_ordinary_markdown_keeps_its_structure() -> None:
    html = render("## Context\n\nSome **bold** and *italic* text.\n\n- one\n- two\n")
    assert "<h2>Context</h2>" in html
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<li>one</li>" in html


def test_external_links_get_nofollow_noopener_noreferrer() -> None:
    html = render("[the source](https://example.org/page)")
    assert f'rel="{EXTERNAL_REL}"' in html
    assert 'href="https://example.org/page"' in html


@pytest.mark.parametrize(
    "url", ["mailto:contact@example.org", "https://example.org", "http://a.example"]
)
def test_http_https_and_mailto_links_are_kept(url: str) -> None:
    assert f'href="{url}"' in render(f"[x]({url})")


def test_an_author_cannot_set_rel_on_a_link() -> None:
    html = render('<a href="https://example.org" rel="opener">x</a>')
    assert 'rel="opener"' not in html and f'rel="{EXTERNAL_REL}"' in html


def test_top_level_headings_are_demoted_below_the_page_title() -> None:
    assert "<h1>" not in render("# Title\n\ntext")


def test_plain_text_drops_markup_and_keeps_words() -> None:
    text = to_plain_text("## Context\n\nSome **bold** &amp; [a link](https://x.org).\n\n<b>x</b>")
    assert text == "Context\nSome bold & a link.\nx"


def test_plain_text_for_snippets_leaves_headings_out() -> None:
    text = to_plain_text("## Context\n\nThe fund began in 2020.", headings=False)
    assert text == "The fund began in 2020."


def test_script_and_style_content_is_dropped_not_shown_as_text() -> None:
    html = render("<script>alert(1)</script>\n\n<style>p{}</style>\n\nwords")
    assert "alert" not in html and "p{}" not in html and "words" in html
    assert to_plain_text("<script>alert(1)</script> words") == "words"


def test_each_thread_renders_with_its_own_cleaners() -> None:
    """bleach's Cleaner is not thread-safe: waitress's threads must not share one."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from kb.text import markdown

    barrier = threading.Barrier(4)

    def work(_: int) -> tuple[int, str]:
        barrier.wait()
        return id(markdown.cleaners()), markdown.render(
            "[x](https://example.org) <script>1</script>"
        )

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(4)))
    assert len({ident for ident, _ in results}) == 4
    assert len({html for _, html in results}) == 1
    assert markdown.cleaners() is markdown.cleaners()
