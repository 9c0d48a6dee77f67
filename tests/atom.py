"""What RFC 4287 requires of an Atom feed and of each entry, checked on a parsed document."""

from __future__ import annotations

import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"


def check_rfc4287(xml: bytes) -> ET.Element:
    """The elements RFC 4287 requires of a feed and of each entry."""
    feed = ET.fromstring(xml)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    assert any(link.get("rel") == "self" for link in feed.findall(f"{ATOM}link"))
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        # A link without rel is an alternate link (RFC 4287, 4.2.7.2).
        links = entry.findall(f"{ATOM}link")
        alternate = [link for link in links if link.get("rel", "alternate") == "alternate"]
        assert alternate or entry.find(f"{ATOM}content") is not None
    return feed
