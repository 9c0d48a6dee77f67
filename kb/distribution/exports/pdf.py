"""PDF of the print booklet with WeasyPrint, when its system libraries (Pango) are present.

The only import of weasyprint, made on first use: importing it loads Pango and its fonts (~0.7 s),
which `import kb`, the CLI and every worker would otherwise pay before serving anything.
`available()` is False when the package or its libraries are missing; the web tier then offers the
printable page only. Resources are served by `fetch` (the app's own static files): a PDF render
never reaches the network.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

MEDIA_TYPE = "application/pdf"
MAX_PRACTICES = 50  # WeasyPrint lays out a few pages a second; longer booklets print from HTML

# url -> (bytes, mime type) or None to refuse
Fetch = Callable[[str], tuple[bytes, str] | None]


@functools.cache
def _weasyprint() -> ModuleType | None:
    """The weasyprint module, imported once, or None when it cannot load here."""
    try:  # pragma: no cover - depends on the machine
        with warnings.catch_warnings():
            # Without libharfbuzz-subset WeasyPrint still renders but warns about future
            # versions; a notice about the future must not stop the app (or a suite run with
            # warnings as errors).
            warnings.filterwarnings(
                "ignore", message="HarfBuzz-Subset", category=DeprecationWarning
            )
            import weasyprint
    except (ImportError, OSError):  # OSError: the package is there, Pango is not
        return None
    module: ModuleType = weasyprint
    return module


def available() -> bool:
    """Whether PDFs can be rendered on this machine (imports WeasyPrint on the first call)."""
    return _weasyprint() is not None


def render(html: str, *, base_url: str, fetch: Fetch) -> bytes:
    """The PDF of a booklet page."""
    weasyprint = _weasyprint()
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
