"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json.

Written by hand next to the code (not generated from it) so it reads as documentation;
tests/test_openapi.py keeps it honest by validating every endpoint's real answers, errors
included, against these schemas. OpenAPI 3.1 schemas are JSON Schema 2020-12, so a plain
JSON Schema validator checks them and ``null`` is spelt as a type.
"""

from __future__ import annotations

from typing import Any

from index.models import MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_CHARS, SORTS
from search_service.lookups import MAX_SIMILAR, MAX_SUGGESTIONS
from search_service.params import FACET_NAMES, WITHIN

API_VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


DOC_ID = {
    "name": "doc_id",
    "in": "path",
    "required": True,
    "description": "A document id, as found in `hits[].id`.",
    "schema": {"type": "string", "pattern": "^[0-9A-Za-z_-]{1,64}$"},
}

SEARCH_PARAMETERS: list[dict[str, Any]] = [
    _query(
        "q",
        "The query (see the search tips page for the syntax).",
        {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
        required=True,
    ),
    _query(
        "page", "Page number.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}
    ),
    _query(
        "size",
        "Hits per page (default: the `page_size` setting).",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    ),
    _query(
        "sort",
        "Order of the hits.",
        {"type": "string", "enum": list(SORTS), "default": "relevance"},
    ),
    _query("site", "Only hits from this site.", {"type": "string", "maxLength": 253}),
    _query("author", "Only hits with this exact byline.", {"type": "string", "maxLength": 253}),
    _query(
        "date_from",
        "Only hits published on or after this day (UTC).",
        {"type": "string", "format": "date"},
    ),
    _query(
        "date_to",
        "Only hits published on or before this day (UTC).",
        {"type": "string", "format": "date"},
    ),
    _query(
        "within",
        "Quick range: only hits published within the past day, week, month or year.",
        {"type": "string", "enum": list(WITHIN)},
    ),
    _query(
        "facets",
        "Comma-separated facet counts to include; empty for none.",
        {"type": "string", "default": ",".join(FACET_NAMES)},
    ),
    _query(
        "collapse",
        "One hit per story (other copies in `also_on`), or every copy.",
        {"type": "boolean", "default": True},
    ),
    _query(
        "highlight",
        "Mark the matching words in `snippet` with `<mark>`.",
        {"type": "boolean", "default": True},
    ),
    _query(
        "recency",
        "Blend relevance with age: newer first among similar scores.",
        {"type": "boolean", "default": False},
    ),
]

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["ok", "status", "error"],
        "properties": {
            "ok": {"const": False},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "Stable, for programs."},
                    "message": {"type": "string", "description": "For people; may change."},
                    "param": {"type": "string", "description": "The parameter at fault."},
                },
            },
        },
    },
    "Hit": {
        "type": "object",
        "required": [
            "id",
            "url",
            "source",
            "title",
            "site",
            "author",
            "published",
            "snippet",
            "snippet_text",
            "also_on",
            "story",
            "score",
        ],
        "properties": {
            "id": {"type": "string"},
            "url": _nullable("string"),
            "source": {"type": "string"},
            "title": {"type": "string", "description": "Plain text: escape it before use in HTML."},
            "site": {"type": "string"},
            "author": _nullable("string"),
            "published": _nullable("string", description="ISO 8601, at the page's precision."),
            "snippet": {"type": "string", "description": "Escaped HTML; only <mark> is added."},
            "snippet_text": {"type": "string"},
            "also_on": {"type": "array", "items": {"type": "string"}},
            "story": _nullable("string"),
            "score": {"type": "number"},
        },
    },
    "FacetCount": {
        "type": "object",
        "required": ["value", "count"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
    },
    "SearchResponse": {
        "type": "object",
        "required": [
            "ok",
            "q",
            "query_used",
            "notice",
            "suggestion",
            "corrected",
            "partial",
            "total",
            "page",
            "pages",
            "size",
            "sort",
            "site",
            "author",
            "date_from",
            "date_to",
            "within",
            "collapse",
            "highlight",
            "took_ms",
            "hits",
            "facets",
        ],
        "properties": {
            "ok": {"const": True},
            "q": {"type": "string"},
            "query_used": {"type": "string"},
            "notice": _nullable("string"),
            "suggestion": _nullable("string", description="A corrected query: did you mean."),
            "corrected": {
                "type": "boolean",
                "description": "True when the hits are those of `suggestion`.",
            },
            "partial": {"type": "boolean", "description": "The time budget ran out."},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1},
            "sort": {"type": "string", "enum": list(SORTS)},
            "site": _nullable("string"),
            "author": _nullable("string"),
            "date_from": _nullable("string", format="date"),
            "date_to": _nullable("string", format="date"),
            "within": _nullable("string"),
            "collapse": {"type": "boolean"},
            "highlight": {"type": "boolean"},
            "took_ms": {"type": "number", "minimum": 0},
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": {
                "type": "object",
                "propertyNames": {"enum": list(FACET_NAMES)},
                "additionalProperties": {"type": "array", "items": _ref("FacetCount")},
            },
        },
    },
    "Document": {
        "type": "object",
        "required": [
            "id",
            "url",
            "source",
            "site",
            "title",
            "author",
            "published",
            "body",
            "story",
            "duplicate_of",
            "canonical_url",
        ],
        "properties": {
            "id": {"type": "string"},
            "url": _nullable("string"),
            "source": {"type": "string"},
            "site": {"type": "string"},
            "title": {"type": "string"},
            "author": _nullable("string"),
            "published": _nullable("string"),
            "body": {"type": "array", "items": {"type": "string"}},
            "story": _nullable("string"),
            "duplicate_of": _nullable("string"),
            "canonical_url": _nullable("string"),
        },
    },
    "DocumentResponse": {
        "type": "object",
        "required": ["ok", "document"],
        "properties": {"ok": {"const": True}, "document": _ref("Document")},
    },
    "SimilarResponse": {
        "type": "object",
        "required": ["ok", "id", "hits"],
        "properties": {
            "ok": {"const": True},
            "id": {"type": "string"},
            "hits": {"type": "array", "items": _ref("Hit"), "maxItems": MAX_SIMILAR},
        },
    },
    "SuggestResponse": {
        "type": "object",
        "required": ["ok", "q", "suggestions"],
        "properties": {
            "ok": {"const": True},
            "q": {"type": "string"},
            "suggestions": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": MAX_SUGGESTIONS,
            },
        },
    },
    "StatsResponse": {
        "type": "object",
        "required": [
            "ok",
            "documents",
            "stories",
            "sites",
            "first_published",
            "last_published",
            "generation",
            "built_at",
        ],
        "properties": {
            "ok": {"const": True},
            "documents": {"type": "integer", "minimum": 0},
            "stories": _nullable("integer"),
            "sites": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["site", "count"],
                    "properties": {"site": {"type": "string"}, "count": {"type": "integer"}},
                },
            },
            "first_published": _nullable("string"),
            "last_published": _nullable("string"),
            "generation": _nullable("string"),
            "built_at": _nullable("string"),
        },
    },
    "OpenAPI": {"type": "object", "required": ["openapi", "paths"]},
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*statuses: int) -> dict[str, Any]:
    texts = {
        400: "A parameter is missing, malformed or out of bounds (`error.param` names it).",
        404: "No such document.",
        429: "Too many requests from this address (see `Retry-After`).",
        503: "No index has been built yet, or it is being swapped.",
    }
    return {str(status): _json("Error", texts[status]) for status in statuses}


def _get(
    summary: str, parameters: list[dict[str, Any]], schema: str, *errors: int
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": _json(schema, "Success. Carries an ETag; `If-None-Match` gives a 304."),
                "304": {"description": "Not modified since the ETag sent in `If-None-Match`."},
                **_errors(*errors, 429),  # every endpoint is rate limited
            },
        }
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    """The description, with ``server_url`` (this server's base URL) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "search-service JSON API",
            "version": API_VERSION,
            "description": "Read-only full-text search over the news archive. Fields may be "
            "added within v1, never renamed or removed. See docs/api.md.",
        },
        "servers": [{"url": f"{server_url}/api/v1"}],
        "paths": {
            "/search": _get("Search the archive", SEARCH_PARAMETERS, "SearchResponse", 400, 503),
            "/documents/{doc_id}": _get(
                "One cleaned document", [DOC_ID], "DocumentResponse", 404, 503
            ),
            "/documents/{doc_id}/similar": _get(
                "Documents about the same thing (copies of this story left out)",
                [
                    DOC_ID,
                    _query(
                        "size",
                        "How many.",
                        {"type": "integer", "minimum": 1, "maximum": MAX_SIMILAR, "default": 5},
                    ),
                ],
                "SimilarResponse",
                400,
                404,
                503,
            ),
            "/suggest": _get(
                "Autocomplete: query texts completing what is typed",
                [
                    _query(
                        "q",
                        "What is typed so far.",
                        {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
                        required=True,
                    ),
                    _query(
                        "limit",
                        "How many.",
                        {"type": "integer", "minimum": 1, "maximum": MAX_SUGGESTIONS, "default": 8},
                    ),
                ],
                "SuggestResponse",
                400,
                503,
            ),
            "/stats": _get("What the archive holds", [], "StatsResponse", 503),
            "/openapi.json": _get("This description", [], "OpenAPI"),
        },
        "components": {"schemas": SCHEMAS},
    }
