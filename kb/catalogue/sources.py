"""Sources a practitioner can forward: which URLs are unofficial copies of a document.

Document-sharing sites re-host reports without the publisher's consent; an official cannot
forward them as the reference. kb keeps such a URL when it is the only copy the research found,
but marks it « copie non officielle / unofficial copy » and lists official sources first.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Hosts (and their subdomains) that re-host documents uploaded by third parties.
COPY_HOSTS = (
    "scribd.com",
    "pdfslide.net",
    "pdfslide.us",
    "pdfslide.fr",
    "docslib.org",
    "fdokumen.com",
    "dokumen.tips",
    "vdocuments.mx",
    "vdocuments.net",
    "studylib.net",
    "yumpu.com",
    "pdf4pro.com",
)


def host(url: str) -> str:
    """The lower-case host of `url` ("" when it has none)."""
    return (urlsplit(url).hostname or "").lower()


def is_unofficial_copy(url: str) -> bool:
    """True when `url` points to a document-sharing site rather than the publisher."""
    name = host(url)
    return any(name == h or name.endswith("." + h) for h in COPY_HOSTS)
