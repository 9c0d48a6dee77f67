"""The OpenAPI 3.1 description of kb's public contract, generated from one route table.

Why a single source and not apispec: apispec's value is reading marshmallow schemas and view
docstrings; kb has neither. The record's schema already comes from `kb.fields`, so the rest is
this table of operations; a test checks that every `/api/v1` route (and every export and feed
route) is in it, and schemathesis checks every response against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.distribution import changes
from kb.distribution.openapi_schemas import ref as _ref
from kb.distribution.openapi_schemas import schemas

FACETS = ("theme", "country", "city", "approach", "target", "language", "year", "evidence")
HTML = "text/html"


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # query | path | header
    schema: dict[str, Any]
    description: str
    required: bool = False

    def spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "in": self.where,
            "required": self.required or self.where == "path",
            "description": self.description,
            "schema": self.schema,
        }
        if self.schema.get("type") == "array":
            out |= {"style": "form", "explode": True}
        return out


@dataclass(frozen=True)
class Reply:
    description: str
    media: str | None = "application/json"
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    path: str
    operation_id: str
    summary: str
    description: str
    params: tuple[Param, ...]
    replies: dict[int, Reply]
    tag: str
    bearer: bool = False  # needs `Authorization: Bearer <token>` (an account's API token)


LANG_QUERY = Param("lang", "query", {"type": "string", "enum": ["fr", "en"]},
                   "Language of labels and titles (default en).")  # fmt: skip
LANG_PATH = Param("lang", "path", {"type": "string", "enum": ["fr", "en"]},
                  "Interface language.")  # fmt: skip
SEARCH_PARAMS = (
    Param("q", "query", {"type": "string", "maxLength": 500},
          'Words, "quoted phrases", -excluded words, city:/country:/theme: filters.'),
    *(Param(name, "query", {"type": "array", "items": {"type": "string", "maxLength": 100}},
            f"Filter by {name} (repeat for OR within the facet; facets combine with AND).")
      for name in FACETS),
    Param("sort", "query", {"type": "string", "enum": ["relevance", "newest", "title"]},
          "Order of results."),
    Param("collection", "query", {"type": "string", "maxLength": 120},
          "Only the practices of this published collection (its slug)."),
)  # fmt: skip
PAGING = (
    Param("page", "query", {"type": "integer", "minimum": 1, "maximum": 1000}, "Page number."),
    Param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 100},
          "Results per page (default 20)."),
)  # fmt: skip
SLUGS = Param("slugs", "query", {"type": "string", "maxLength": 5000},
              "A personal selection: comma-separated practice slugs, kept in this order "
              "(replaces the search parameters).")  # fmt: skip
ERROR = Reply("Error", schema=_ref("Error"))
HTML_ERROR = Reply("Error page", media=HTML, schema={"type": "string"})
EXPORT_NOTE = (
    "Without search parameters or slugs, the whole catalogue in slug order. The body streams."
)


def _feed(path: str, op_id: str, summary: str, params: tuple[Param, ...]) -> Operation:
    return Operation(
        path,
        op_id,
        summary,
        "Atom 1.0; entries newest change first, at most 50; stable entry ids; `updated` is the "
        "practice's last change and `published` its publication.",
        (LANG_PATH, *params),
        {200: Reply("Atom feed", "application/atom+xml", {"type": "string"}), 404: HTML_ERROR},
        "feeds",
    )


TOKEN_REPLIES = {401: ERROR, 403: ERROR, 429: ERROR}
SLUG_PATH = Param("slug", "path", {"type": "string"}, "The collection's slug.")

PROPOSAL_PATH = Param("proposal_id", "path", {"type": "integer", "minimum": 1}, "The proposal.")

ROUTES: tuple[Operation, ...] = (
    Operation("/api/v1/proposals", "proposals", "Proposals (moderation)",
              "The proposals the token's account may read, newest first; `status=` filters. "
              "POST creates one (full practice JSON, plus `base_slug` for an edit); see also "
              "`/submit`, `/comments` and `/decision` under a proposal.",
              (Param("status", "query", {"type": "string", "maxLength": 20}, "A status."),),
              {200: Reply("Proposals", schema={"type": "object"}), 400: ERROR, **TOKEN_REPLIES},
              "moderation", bearer=True),
    Operation("/api/v1/proposals/{proposal_id}", "getProposal", "A proposal",
              "The proposal with its practice JSON, status, base version and review state. PUT "
              "replaces its practice JSON while it is a draft or has changes requested.",
              (PROPOSAL_PATH,),
              {200: Reply("The proposal", schema={"type": "object"}), 404: ERROR,
               **TOKEN_REPLIES}, "moderation", bearer=True),
    Operation("/api/v1/practices/{slug}/history", "practiceHistory", "A practice's history",
              "Every version and every proposal of the practice (moderators).",
              (Param("slug", "path", {"type": "string"}, "The practice's slug."),),
              {200: Reply("The history", schema={"type": "object"}), 404: ERROR,
               **TOKEN_REPLIES}, "moderation", bearer=True),
    Operation("/api/v1/collections", "collections", "Published collections",
              "Every published collection with its title, introduction and size.", (LANG_QUERY,),
              {200: Reply("The collections", schema={"type": "object"}), 400: ERROR},
              "collections"),
    Operation("/api/v1/collections/{slug}", "getCollection", "A published collection",
              "Its introduction and ordered practices with the curator's notes; conditional "
              "with `If-None-Match` (ETag).", (SLUG_PATH, LANG_QUERY),
              {200: Reply("The collection", schema={"type": "object"}, headers=("ETag",)),
               304: Reply("Not modified", media=None), 400: ERROR, 404: ERROR}, "collections"),
    Operation("/api/v1/me", "me", "The account of the bearer token",
              "Who the token acts for: id, display name, roles, interface language.", (),
              {200: Reply("The account", schema=_ref("Me")), **TOKEN_REPLIES}, "accounts",
              bearer=True),
    Operation("/api/v1/audit", "audit", "The audit log (admins)",
              "Events newest first, with the same filters as the admin page.",
              (Param("actor", "query", {"type": "string", "maxLength": 254},
                     "An e-mail address, `system` or `anonymous`."),
               Param("action", "query", {"type": "string", "maxLength": 40}, "An action."),
               Param("target_kind", "query", {"type": "string", "maxLength": 20}, "A kind."),
               Param("target_id", "query", {"type": "string", "maxLength": 120}, "An id."),
               Param("since", "query", {"type": "string", "format": "date"}, "From this day."),
               Param("until", "query", {"type": "string", "format": "date"}, "To this day."),
               Param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 500},
                     "Events per page (default 50)."),
               Param("offset", "query", {"type": "integer", "minimum": 0}, "Events to skip.")),
              {200: Reply("A page of events", schema=_ref("AuditPage")), 400: ERROR,
               **TOKEN_REPLIES}, "accounts", bearer=True),
    Operation("/api/v1/search", "search", "Search practices",
              "The search page's parameters; facet counts, did-you-mean, pagination with "
              "`next`/`previous` and a `Link` header.",
              (*SEARCH_PARAMS, *PAGING, LANG_QUERY),
              {200: Reply("A page of results", schema=_ref("SearchResults"), headers=("Link",)),
               400: ERROR}, "search"),
    Operation("/api/v1/practices/{slug}", "getPractice", "A practice's full public record",
              "Conditional with `If-None-Match` (ETag) and `If-Modified-Since`.",
              (Param("slug", "path", {"type": "string"}, "The practice's slug."),),
              {200: Reply("The record", schema=_ref("Practice"),
                          headers=("ETag", "Last-Modified")),
               304: Reply("Not modified", media=None), 404: ERROR}, "practices"),
    Operation("/api/v1/suggest", "suggest", "As-you-type suggestions",
              "Themes, practice titles and cities starting with `q` (2 characters at least).",
              (Param("q", "query", {"type": "string", "maxLength": 100}, "Prefix typed."),
               LANG_QUERY),
              {200: Reply("Suggestions", schema=_ref("Suggestions")), 400: ERROR}, "search"),
    Operation("/api/v1/changes", "changes", "Changes feed for mirrors",
              "Public changes of practices and collections (`kind`) after the cursor, in order: "
              "`published`/`updated` with the record, `archived`/`unpublished`/`deleted` "
              "tombstones. Replay from `since=0`, then keep the `next` cursor; `caught_up` is "
              "true when nothing more is waiting.",
              (Param("since", "query",
                     {"type": "string", "pattern": "^[0-9]{1,18}(\\.[0-9]{1,18})?$"},
                     "Cursor from a previous page (`next`, `P` or `P.C`); 0 or absent: from "
                     "the beginning."),
               Param("limit", "query",
                     {"type": "integer", "minimum": 1, "maximum": changes.MAX_LIMIT},
                     f"Rows of each log per page (default {changes.DEFAULT_LIMIT}).")),
              {200: Reply("A page of changes", schema=_ref("ChangesPage"), headers=("Link",)),
               400: ERROR}, "changes"),
    Operation("/api/v1/openapi.json", "openapi", "This document", "OpenAPI 3.1.", (),
              {200: Reply("The OpenAPI document")}, "meta"),
    Operation("/{lang}/search/export.json", "exportJson", "Export as JSON",
              "Records plus a manifest (generated at, source, count, field dictionary, kb "
              "version). " + EXPORT_NOTE,
              (LANG_PATH, *SEARCH_PARAMS, SLUGS),
              {200: Reply("Export", schema=_ref("Export")), 400: HTML_ERROR}, "exports"),
    Operation("/{lang}/search/export.csv", "exportCsv", "Export as CSV",
              "UTF-8 with BOM, one row per practice, the columns of the field dictionary; "
              "multi-valued cells joined with ` | `. " + EXPORT_NOTE,
              (LANG_PATH, *SEARCH_PARAMS, SLUGS,
               Param("dialect", "query", {"type": "string", "enum": ["standard", "excel-fr"]},
                     "`excel-fr` separates with `;` for French spreadsheet defaults.")),
              {200: Reply("CSV", "text/csv", {"type": "string"}), 400: HTML_ERROR}, "exports"),
    Operation("/{lang}/search/export.zip", "exportZip", "Export as a Markdown zip",
              "The practices in the `content/` format (with taxonomy and events), which "
              "`kb import` reads back unchanged. " + EXPORT_NOTE,
              (LANG_PATH, *SEARCH_PARAMS, SLUGS),
              {200: Reply("Zip archive", "application/zip",
                          {"type": "string", "contentMediaType": "application/zip"}),
               400: HTML_ERROR}, "exports"),
    Operation("/{lang}/collections/{slug}/export.json", "collectionExportJson",
              "Export a collection as JSON",
              "The collection's published practices in its order; the manifest names the "
              "collection and its version and holds its record. Drafts are 404.",
              (LANG_PATH, SLUG_PATH),
              {200: Reply("Export", schema=_ref("Export")), 400: HTML_ERROR, 404: HTML_ERROR},
              "exports"),
    Operation("/{lang}/collections/{slug}/export.csv", "collectionExportCsv",
              "Export a collection as CSV",
              "As the search's CSV export, in the collection's order.",
              (LANG_PATH, SLUG_PATH,
               Param("dialect", "query", {"type": "string", "enum": ["standard", "excel-fr"]},
                     "`excel-fr` separates with `;` for French spreadsheet defaults.")),
              {200: Reply("CSV", "text/csv", {"type": "string"}), 400: HTML_ERROR,
               404: HTML_ERROR}, "exports"),
    Operation("/{lang}/collections/{slug}/export.zip", "collectionExportZip",
              "Export a collection as a Markdown zip",
              "Its practices in the `content/` format plus `content/collections/<slug>.yaml`, "
              "which `kb import` reads back.",
              (LANG_PATH, SLUG_PATH),
              {200: Reply("Zip archive", "application/zip",
                          {"type": "string", "contentMediaType": "application/zip"}),
               400: HTML_ERROR, 404: HTML_ERROR}, "exports"),
    _feed("/{lang}/feed.atom", "feedAll", "New and updated practices", ()),
    _feed("/{lang}/collections/{slug}/feed.atom", "feedCollection",
          "Feed of a published collection", (SLUG_PATH,)),
    _feed("/{lang}/search/feed.atom", "feedSearch", "Feed of a search", SEARCH_PARAMS),
    _feed("/{lang}/themes/{slug}/feed.atom", "feedTheme", "Feed of a theme",
          (Param("slug", "path", {"type": "string"}, "Theme slug."),)),
    _feed("/{lang}/countries/{code}/feed.atom", "feedCountry", "Feed of a country",
          (Param("code", "path", {"type": "string"}, "ISO 3166-1 alpha-2 code."),)),
)  # fmt: skip

HEADERS = {
    "Link": {"description": 'RFC 8288 links, e.g. `<…>; rel="next"`', "schema": {"type": "string"}},
    "ETag": {"description": "Entity tag of the record", "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the record last changed", "schema": {"type": "string"}},
    "X-RateLimit-Limit": {"description": "Requests allowed in the current window (per bearer "
                          "token, else per client address)", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the current window",
                              "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "Seconds until the current window ends",
                          "schema": {"type": "integer"}},
    "Retry-After": {"description": "Seconds to wait before trying again",
                    "schema": {"type": "integer"}},
}
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
RATE_LIMITED = Reply("Too many requests: the rate limit of this token or client address is "
                     "reached", schema=_ref("Error"), headers=(*RATE_HEADERS, "Retry-After"))


def _responses(op: Operation) -> dict[str, Any]:
    """The replies of an operation; every /api/v1 one is rate-limited (429, X-RateLimit-*)."""
    limited = op.path.startswith("/api/v1/")
    replies = {**op.replies, 429: RATE_LIMITED} if limited else op.replies
    out: dict[str, Any] = {}
    for status, reply in replies.items():
        entry: dict[str, Any] = {"description": reply.description}
        if reply.media:
            entry["content"] = {reply.media: {"schema": reply.schema}}
        names = (*reply.headers, *(RATE_HEADERS if limited else ()))
        if names:
            entry["headers"] = {name: HEADERS[name] for name in dict.fromkeys(names)}
        out[str(status)] = entry
    return out


def document(*, version: str, server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    paths: dict[str, Any] = {}
    for op in ROUTES:
        paths.setdefault(op.path, {})["get"] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "description": op.description,
            "tags": [op.tag],
            "parameters": [p.spec() for p in op.params],
            "responses": _responses(op),
        } | ({"security": [{"bearer": []}]} if op.bearer else {})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kb: city prevention practices",
            "version": version,
            "description": "Read-only public API of the kb knowledge base: search, records, "
            "exports, Atom feeds and a changes feed for mirrors. GET requests under /api/v1 "
            "allow any origin (CORS). Requests under /api/v1 are rate-limited per bearer token, "
            "or per client address without one; every answer says where the client stands "
            "(`X-RateLimit-*`), and a 429 says when to retry (`Retry-After`).",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "An API token from /<lang>/account"}},
        },
    }
