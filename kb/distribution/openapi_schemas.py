"""The schemas of kb's OpenAPI document (`kb.openapi`): records, search results, changes, errors.

The practice record's schema comes from `kb.fields`; the rest is declared here, once.
"""

from __future__ import annotations

from typing import Any

from kb.catalogue import fields

STRING: dict[str, Any] = {"type": "string"}
NULLABLE: dict[str, Any] = {"type": ["string", "null"]}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _parts() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A facet value, a search hit and a change of the changes feed."""
    string = STRING
    facet_value = {
        "type": "object",
        "properties": {"value": string, "label": string, "count": {"type": "integer"},
                       "selected": {"type": "boolean"}},
        "required": ["value", "label", "count", "selected"],
    }  # fmt: skip
    hit = {
        "type": "object",
        "properties": {
            "slug": string, "title": string, "summary": string, "city": string,
            "cities": {"type": "array", "items": string}, "country": string,
            "themes": {"type": "array", "items": string}, "language": string,
            "url": string, "snippet": string,
        },
        "required": ["slug", "title", "summary", "country", "url"],
    }  # fmt: skip
    change = {
        "type": "object",
        "properties": {
            "cursor": string,
            "kind": {"enum": ["practice", "collection"]},
            "type": {"enum": ["published", "updated", "archived", "unpublished", "deleted"]},
            "slug": string, "version": {"type": "integer"}, "changed_at": string,
            "record": {"anyOf": [ref("Practice"), {
                "type": "object", "required": ["slug", "version", "items", "urls"]}]},
            "tombstone": {"type": "object", "properties": {"slug": string, "state": string},
                          "required": ["slug", "state"]},
        },
        "required": ["cursor", "kind", "type", "slug", "version", "changed_at"],
    }  # fmt: skip
    return facet_value, hit, change


def schemas() -> dict[str, Any]:
    """Every schema of the document's `components`."""
    string, nullable = STRING, NULLABLE
    facet_value, hit, change = _parts()
    return {
        "Practice": fields.record_schema(),
        "Source": fields.SOURCE_SCHEMA,
        "Me": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "display_name": string,
                           "roles": {"type": "array", "items": string}, "language": string},
            "required": ["id", "display_name", "roles", "language"],
        },
        "AuditPage": {
            "type": "object",
            "properties": {"total": {"type": "integer"}, "offset": {"type": "integer"},
                           "limit": {"type": "integer"},
                           "events": {"type": "array", "items": {"type": "object"}}},
            "required": ["total", "offset", "limit", "events"],
        },
        "Error": {
            "type": "object",
            "properties": {"error": {
                "type": "object",
                "properties": {"code": string, "status": {"type": "integer"}, "message": string,
                               "fields": {"type": "array", "items": {"type": "object"}}},
                "required": ["code", "status", "message"],
            }},
            "required": ["error"],
        },
        "SearchResults": {
            "type": "object",
            "properties": {
                "query": string, "total": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "sort": string, "suggestion": nullable,
                "relaxed": {"type": "boolean"}, "notices": {"type": "array", "items": string},
                "results": {"type": "array", "items": hit},
                "facets": {"type": "object", "additionalProperties": {
                    "type": "array", "items": facet_value}},
                "next": nullable, "previous": nullable,
            },
            "required": ["query", "total", "page", "per_page", "results", "facets", "next",
                         "previous"],
        },
        "Suggestions": {
            "type": "object",
            "properties": {"query": string, "suggestions": {"type": "array", "items": {
                "type": "object", "properties": {"kind": string, "value": string, "label": string},
                "required": ["kind", "value", "label"]}}},
            "required": ["query", "suggestions"],
        },
        "ChangesPage": {
            "type": "object",
            "properties": {"changes": {"type": "array", "items": change}, "next": string,
                           "next_url": string, "caught_up": {"type": "boolean"}},
            "required": ["changes", "next", "next_url", "caught_up"],
        },
        **_export_schemas(string, nullable),
    }  # fmt: skip


def _export_schemas(string: dict[str, Any], nullable: dict[str, Any]) -> dict[str, Any]:
    """The JSON export and its manifest."""
    return {
        "Export": {
            "type": "object",
            "properties": {"manifest": ref("Manifest"),
                           "records": {"type": "array", "items": ref("Practice")}},
            "required": ["manifest", "records"],
        },
        "Manifest": {
            "type": "object",
            "properties": {
                "generated_at": string, "format": string, "count": {"type": "integer"},
                "source": {"type": "object", "properties": {
                    "kind": {"enum": ["catalogue", "search", "selection", "collection"]},
                    "query": {"type": "object"}, "url": nullable}},
                "fields": {"type": "array", "items": {"type": "object"}},
                "kb_version": string,
                "collection": {"type": "object", "description":
                               "A collection's export: its public record (every entry, "
                               "archived ones marked)."},
            },
            "required": ["generated_at", "source", "count", "fields", "kb_version"],
        },
    }  # fmt: skip
