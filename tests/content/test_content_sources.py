"""Every practice's sources can be forwarded by an official: the rules of content/README.md.

Checked on every file of content/practices/ (the seed and every practice added later):

1. A source on a copy site (a document-sharing site re-hosting someone else's document) carries
   the note « copie non officielle » / "unofficial copy", names the copy site as its publisher
   (the note says whose document it copies), and comes after every other source.
2. A URL's host is written plainly: lower case, no trailing dot, no credentials or port.
3. Every source names its publisher.
4. issuu.com hosts publishers' own accounts and copies alike: an issuu source is either on an
   account listed in OWN_ISSUU_ACCOUNTS with that publisher, or marked as a copy.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from kb.catalogue.data import SourceData
from kb.catalogue.sources import COPY_HOSTS
from kb.content.folder import load
from tests.conftest import CONTENT_DIR

PRACTICES = {p.slug: p for p in load(CONTENT_DIR).practices}

# Document-sharing sites: what they host was uploaded by third parties, not by the publisher.
# kb.sources.COPY_HOSTS (badged on pages) plus the sites the research also met.
COPY_SITES = tuple(COPY_HOSTS) + (
    "docplayer.nl",
    "docplayer.net",
    "docplayer.fr",
    "docplayer.es",
    "docplayer.info",
    "docplayer.com.br",
    "123dok.com",
    "123dok.net",
    "1library.net",
    "1library.co",
    "doczz.fr",
    "doczz.net",
    "documents.pub",
    "dokumen.pub",
    "pdfcoffee.com",
    "silo.tips",
    "kipdf.com",
    "idoc.pub",
    "readkong.com",
    "djazairess.com",  # republishes Algerian newspapers' articles
)
# issuu accounts that belong to the publisher named on the source (account -> publisher).
OWN_ISSUU_ACCOUNTS = {"efus": "Efus"}

NOTE_FR = "copie non officielle"
NOTE_EN = "unofficial copy"


def host_of(url: str) -> str:
    return urlsplit(url).netloc


def on(host: str, site: str) -> bool:
    host = host.lower().rstrip(".")
    return host == site or host.endswith("." + site)


def is_copy(url: str) -> bool:
    host = host_of(url)
    if on(host, "issuu.com"):
        account = urlsplit(url).path.strip("/").split("/")[0]
        return account not in OWN_ISSUU_ACCOUNTS
    return any(on(host, site) for site in COPY_SITES)


def site_name(host: str) -> str:
    """The copy site's name as a publisher would write it: 'docslib' for docslib.org."""
    host = host.lower()
    for site in COPY_SITES + ("issuu.com",):
        if on(host, site):
            return site.split(".")[0]
    return host


SLUGS = sorted(PRACTICES)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_copy_site_source_says_it_is_an_unofficial_copy_and_names_the_copy_site(
    slug: str,
) -> None:
    for s in PRACTICES[slug].sources:
        if is_copy(s.url):
            check_copy(s)


def check_copy(s: SourceData) -> None:
    assert s.note_fr and NOTE_FR in s.note_fr.lower(), f"note fr must say « {NOTE_FR} »: {s.url}"
    assert s.note_en and NOTE_EN in s.note_en.lower(), f'note en must say "{NOTE_EN}": {s.url}'
    assert s.publisher and site_name(host_of(s.url)) in s.publisher.lower(), (
        f"the publisher of a copy is the copy site ({site_name(host_of(s.url))}), "
        f"not the author of the document: {s.publisher!r} for {s.url}"
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_copies_come_after_every_other_source(slug: str) -> None:
    flags = [is_copy(s.url) for s in PRACTICES[slug].sources]
    assert flags == sorted(flags), [s.url for s in PRACTICES[slug].sources]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_source_host_is_lower_case_without_trailing_dot_port_or_credentials(slug: str) -> None:
    for s in PRACTICES[slug].sources:
        check_host(s.url)


def check_host(url: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https"), url
    host = parts.netloc
    assert host, url
    assert host == host.lower(), f"upper case in host: {url}"
    assert not host.endswith("."), f"trailing dot after host: {url}"
    assert "@" not in host and ":" not in host, f"credentials or port in host: {url}"
    assert ".." not in host and not host.startswith("."), url


@pytest.mark.parametrize("slug", SLUGS)
def test_every_source_names_its_publisher(slug: str) -> None:
    missing = [s.url for s in PRACTICES[slug].sources if not (s.publisher or "").strip()]
    assert not missing, f"no publisher: {missing}"


@pytest.mark.parametrize("slug", SLUGS)
def test_an_issuu_source_is_the_publishers_own_account_or_a_marked_copy(slug: str) -> None:
    for s in PRACTICES[slug].sources:
        if on(host_of(s.url), "issuu.com"):
            check_issuu(s)


def check_issuu(s: SourceData) -> None:
    account = urlsplit(s.url).path.strip("/").split("/")[0]
    if account in OWN_ISSUU_ACCOUNTS:
        assert s.publisher == OWN_ISSUU_ACCOUNTS[account], s.url
    else:
        assert is_copy(s.url) and s.note_en and NOTE_EN in s.note_en.lower(), s.url


def test_the_rules_recognise_the_copy_sites_they_are_written_for() -> None:
    assert is_copy("https://docplayer.nl/44132475-x.html")
    assert is_copy("https://fr.scribd.com/document/1/x")
    assert is_copy("https://issuu.com/someone/docs/a-city-report")
    assert not is_copy("https://issuu.com/efus/docs/publication_bridge_en_pages/43")
    assert not is_copy("https://www.strasbourg.eu/x")
    assert site_name("fr.scribd.com") == "scribd"
