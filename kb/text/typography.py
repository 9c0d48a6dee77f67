"""French typography: the spaces a French editor puts before ; : ! ? %, inside « », before units.

`french(text)` fixes plain text; `french_html(html)` fixes the text between tags of a rendered
page and leaves tags, attribute values, entities, scripts, styles and code untouched. Both are
idempotent. English text is never passed through them.
"""

from __future__ import annotations

import re

NNBSP = "\u202f"  # narrow no-break space: before ; : ! ? and inside « »
NBSP = "\u00a0"  # no-break space: before % and units, between a number and its unit

_SPACES = "[ \t\u00a0\u202f]"
# An existing space before ; : becomes narrow and unbreakable. None is inserted before ";"
# ("&amp;") and before ":" only after a letter and before a space ("Porteur: " but not "10:30").
_BEFORE_SEMI_COLON = re.compile(rf"(?<=\S){_SPACES}+([;:])(?=\s|$|[»)\]])")
_BEFORE_COLON = re.compile(r"(?<=[^\W\d_]|[)»])(:)(?= )")
# ! and ? get one even when the space is missing, but only at the end of a word ("Quoi?"),
# never in "?q=" or "!important".
_BEFORE_EXCLAIM = re.compile(rf"(?<=[^\s!?(«\[]){_SPACES}*([!?]+)(?=\s|$|[»)\]<])")
_AFTER_OPEN_QUOTE = re.compile(rf"«{_SPACES}*")
_BEFORE_CLOSE_QUOTE = re.compile(rf"{_SPACES}*»")
_PERCENT = re.compile(rf"(?<=\d){_SPACES}?%")
_UNIT = re.compile(r"(?<=\d) (€|k€|M€|£|\$|km|m²|m|kg|h|min|ans?)(?=[\s.,;:!?)]|$)")
# Thousands groups "140 000" stay on one line.
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")


_DIGIT_SPACE = re.compile(r"\d ")


def french(text: str) -> str:
    """`text` with French no-break spaces (idempotent).

    Each rule runs only where its character occurs: a page has hundreds of text nodes and most
    have none, so checking with `in` first is what keeps this cheap on every French page.
    """
    if not text:
        return text
    if ";" in text or ":" in text:
        text = _BEFORE_SEMI_COLON.sub(NNBSP + r"\1", text)
        if ":" in text:
            text = _BEFORE_COLON.sub(NNBSP + r"\1", text)
    if "!" in text or "?" in text:
        text = _BEFORE_EXCLAIM.sub(NNBSP + r"\1", text)
    if "«" in text:
        text = _AFTER_OPEN_QUOTE.sub("«" + NNBSP, text)
    if "»" in text:
        text = _BEFORE_CLOSE_QUOTE.sub(NNBSP + "»", text)
    if "%" in text:
        text = _PERCENT.sub(NBSP + "%", text)
    if _DIGIT_SPACE.search(text):
        text = _UNIT.sub(NBSP + r"\1", text)
        text = _THOUSANDS.sub(NNBSP, text)
    return text


# A tag, with its closing slash and name when it has one (not for comments and doctypes).
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)?[^>]*>")
# A text holding none of these is left as it is by every rule of `french`.
_TRIGGER = re.compile(r"[;:!?«»%]|\d ")
_LANG = re.compile(r"""\slang\s*=\s*["']?([a-zA-Z-]+)""")
_RAW = frozenset({"script", "style", "pre", "code", "textarea"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def french_html(html: str) -> str:
    """A rendered page with French typography in its text.

    Left alone: tags and attribute values, scripts, styles, code, and any element marked with
    another language (`lang="en"`), so quoted English keeps English punctuation.
    """
    out: list[str] = []  # the page up to `copied`, with its fixed texts
    copied = 0
    stack: list[tuple[str, bool]] = []  # open elements: (name, text inside is left alone)
    skipping = 0  # how many open elements leave their text alone
    pos = 0
    for tag in _TAG.finditer(html):
        start = tag.start()
        if start > pos and not skipping and _TRIGGER.search(html, pos, start):
            fixed = french(html[pos:start])
            out.append(html[copied:pos])
            out.append(fixed)
            copied = start
        pos = tag.end()
        name = tag.group(2)
        if name is None:
            continue
        name = name.lower()
        if tag.group(1):
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == name:
                    skipping -= sum(1 for _n, skip in stack[depth:] if skip)
                    del stack[depth:]
                    break
        elif name not in _VOID and html[pos - 2] != "/":
            part = tag.group()
            lang = _LANG.search(part) if "lang" in part else None
            skip = name in _RAW or bool(lang and not lang.group(1).lower().startswith("fr"))
            stack.append((name, skip))
            skipping += skip
    if len(html) > pos and not skipping and _TRIGGER.search(html, pos):
        out.append(html[copied:pos])
        out.append(french(html[pos:]))
    else:
        out.append(html[copied:])
    return "".join(out)
