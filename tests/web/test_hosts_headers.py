"""Hosts are trusted only when named, absolute URLs come from KB_BASE_URL, HTTPS brings HSTS and
Secure cookies, and every kind of page says how it may be cached."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask import Flask

from kb.web import security

BASE = "https://kb.example.org"
EVIL = "evil.example.com"


@pytest.fixture
def public_app(make_app: Callable[..., Flask], seeded: Flask) -> Flask:
    """The seeded app configured as in production: a public origin and its host trusted."""
    seeded.config["KB_BASE_URL"] = BASE
    seeded.config["TRUSTED_HOSTS"] = ["kb.example.org", "localhost"]
    return seeded


@pytest.fixture
def open_app(seeded: Flask) -> Flask:
    """The seeded app with a public origin and every Host accepted (KB_TRUSTED_HOSTS=*)."""
    seeded.config["KB_BASE_URL"] = BASE
    seeded.config["TRUSTED_HOSTS"] = None
    return seeded


def _slug(app: Flask) -> str:
    found = app.test_client().get("/api/v1/search?per_page=1").json
    assert found is not None
    return str(found["results"][0]["slug"])


def test_an_untrusted_host_gets_a_400_page_with_security_headers(public_app: Flask) -> None:
    response = public_app.test_client().get("/fr/", headers={"Host": EVIL})
    assert response.status_code == 400
    assert "Content-Security-Policy" in response.headers
    assert EVIL not in response.get_data(as_text=True)


def test_a_64_character_host_label_is_a_400_not_a_500(seeded: Flask) -> None:
    host = "a" * 64 + ".example.org"
    for url in ("/fr/", "/api/v1/search", "/robots.txt"):
        response = seeded.test_client().get(url, headers={"Host": host})
        assert response.status_code == 400, url
        assert "Content-Security-Policy" in response.headers


def test_api_errors_for_an_untrusted_host_are_json(public_app: Flask) -> None:
    response = public_app.test_client().get("/api/v1/search", headers={"Host": EVIL})
    assert response.status_code == 400 and response.json is not None
    assert response.json["error"]["status"] == 400


@pytest.mark.parametrize(
    "url",
    ["/sitemap.xml", "/robots.txt", "/fr/", "/api/v1/search?q=ville", "/fr/search?q=ville"],
)
def test_absolute_urls_are_built_on_kb_base_url_whatever_the_host_header(
    open_app: Flask, url: str
) -> None:
    body = open_app.test_client().get(url, headers={"Host": EVIL}).get_data(as_text=True)
    assert EVIL not in body
    own = re.findall(r"https?://[^\s\"'<>]+", body)
    ours = [u for u in own if not re.match(r"https?://(www\.)?(w3|schema|sitemaps)\.org", u)]
    assert all(u.startswith(BASE) for u in ours if "example" in u or "localhost" in u)
    if url in ("/sitemap.xml", "/robots.txt"):
        assert f"{BASE}/" in body


def test_practice_pages_put_the_origin_in_canonical_alternate_and_json_ld(open_app: Flask) -> None:
    slug = _slug(open_app)
    client = open_app.test_client()
    page = client.get(f"/en/practices/{slug}", headers={"Host": EVIL}).get_data(as_text=True)
    record = client.get(f"/api/v1/practices/{slug}", headers={"Host": EVIL}).json
    assert EVIL not in page
    assert f'rel="canonical" href="{BASE}/en/practices/{slug}"' in page
    assert f'hreflang="fr" href="{BASE}/fr/practices/{slug}"' in page
    ld = json.loads(page.split('application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert ld["url"] == f"{BASE}/en/practices/{slug}"
    assert record is not None and record["urls"]["fr"] == f"{BASE}/fr/practices/{slug}"


def test_the_trailing_slash_redirect_goes_to_the_origin(open_app: Flask) -> None:
    response = open_app.test_client().get("/fr", headers={"Host": EVIL})
    assert response.status_code in (301, 308)
    assert response.headers["Location"].startswith(BASE + "/fr/")


def test_https_through_a_trusted_proxy_gets_hsts_and_secure_cookies(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(KB_TRUST_PROXY=True, KB_PROXY_HOPS=1)
    response = app.test_client().get("/en/about", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)


def test_plain_http_and_untrusted_forwarded_headers_get_no_hsts(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()  # no proxy trusted: X-Forwarded-Proto is ignored
    response = app.test_client().get("/en/about", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    assert all("Secure" not in c for c in response.headers.getlist("Set-Cookie"))


def test_public_pages_are_cached_briefly_and_revalidated_with_an_etag(seeded: Flask) -> None:
    client = seeded.test_client()
    client.set_cookie("kb_lang", "en")
    first = client.get("/en/about")
    assert first.status_code == 200
    assert (
        "public" in first.headers["Cache-Control"]
        and "max-age=300" in first.headers["Cache-Control"]
    )
    etag = first.headers["ETag"]
    again = client.get("/en/about", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_the_api_is_cached_briefly_with_an_etag(seeded: Flask) -> None:
    client = seeded.test_client()
    first = client.get("/api/v1/search?q=ville")
    assert "max-age=60" in first.headers["Cache-Control"]
    assert (
        client.get(
            "/api/v1/search?q=ville", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )


@pytest.mark.parametrize("url", ["/healthz", "/", "/fr/practices/no-such-practice"])
def test_health_redirects_and_errors_are_never_stored(seeded: Flask, url: str) -> None:
    assert seeded.test_client().get(url).headers["Cache-Control"] == "no-store"


def test_a_request_with_a_session_cookie_is_never_stored(seeded: Flask) -> None:
    client = seeded.test_client()
    client.set_cookie("kb_lang", "en")
    client.set_cookie(seeded.config["SESSION_COOKIE_NAME"], "someone")
    assert client.get("/en/about").headers["Cache-Control"] == "no-store"


def test_views_behind_a_login_can_declare_no_store(seeded: Flask) -> None:
    @security.no_store
    def account() -> str:
        return "private"

    seeded.add_url_rule("/en/account-test", "public.account_test", account)
    client = seeded.test_client()
    client.set_cookie("kb_lang", "en")
    assert client.get("/en/account-test").headers["Cache-Control"] == "no-store"
