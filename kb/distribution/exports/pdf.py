"""PDF of the print booklet with WeasyPrint, when its system libraries (Pango) are present.

The only import of weasyprint. `AVAILABLE` is False when the package or its libraries are missing;
the web tier then offers the printable page only. Resources are served by `fetch` (the app's own
static files): a PDF render never reaches the network.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

try:  # pragma: no cover - depends on the machine
    with warnings.catch_warnings():
        # Without libharfbuzz-subset WeasyPrint still renders but warns about future versions;
        # a notice about the future must not stop the app (or a suite run with warnings as errors).
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint

    AVAILABLE = True
except (ImportError, OSError):  # OSError: the package is there, Pango is not
    weasyprint = None
    AVAILABLE = False

MEDIA_TYPE = "application/pdf"
MAX_PRACTICES = 50  # WeasyPrint lays out a few pages a second; longer booklets print from HTML

# url -> (bytes, mime type) or None to refuse
Fetch = Callable[[str], tuple[bytes, str] | None]


def render(html: str, *, base_url: str, fetch: Fetch) -> bytes:
    """The PDF of a booklet page."""
    if weasyprint is None:
        raise RuntimeError("WeasyPrint is not available on this machine")

    def fetcher(url: str, *args: Any, **kwargs: Any) -> Any:
        found = fetch(url)
        if found is None:
            raise ValueError(f"not fetched while rendering a PDF: {url[:100]}")
        response_type = getattr(weasyprint.urls, "URLFetcherResponse", None)
        if response_type is None:  # WeasyPrint < 68 takes a dict
            return {"string": found[0], "mime_type": found[1]}
        return response_type(url, body=found[0], headers={"Content-Type": found[1]})

    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return bytes(document.write_pdf())
