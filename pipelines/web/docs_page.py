"""A local API reference page rendered from the OpenAPI schema.

FastAPI's Swagger UI loads its JavaScript and CSS from a CDN; facetcoder serves nothing from outside
the machine, so `/docs` is plain server-rendered HTML (no script) and `/openapi.json` stays the
machine-readable schema.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")


def render_docs(openapi: dict[str, Any]) -> str:
    """HTML listing every operation: method, path, summary, request and response bodies."""
    rows = []
    for path, ops in sorted(openapi.get("paths", {}).items()):
        for method, op in ops.items():
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            responses = ", ".join(
                f"{code} {escape(_schema_name(r.get('content', {}).get('application/json', {}).get('schema')))}".strip()
                for code, r in op.get("responses", {}).items()
            )
            rows.append(
                f"<tr><td><code>{escape(method.upper())}</code></td><td><code>{escape(path)}</code></td>"
                f"<td>{escape(op.get('summary', ''))}<br><small>{escape(op.get('description', '') or '')}</small></td>"
                f"<td>{escape(_schema_name(body))}</td><td>{responses}</td></tr>"
            )
    schemas = openapi.get("components", {}).get("schemas", {})
    schema_blocks = "".join(
        f"<details><summary><code>{escape(name)}</code></summary><pre>{escape(json.dumps(s, indent=2))}</pre></details>"
        for name, s in sorted(schemas.items())
    )
    info = openapi.get("info", {})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(info.get('title', 'API'))} API</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main class="docs">
<h1>{escape(info.get('title', 'API'))} {escape(info.get('version', ''))} &mdash; API reference</h1>
<p>{escape(info.get('description', ''))}</p>
<p>Machine-readable schema: <a href="/openapi.json">/openapi.json</a></p>
<table><thead><tr><th>method</th><th>path</th><th>what</th><th>request body</th><th>responses</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Schemas</h2>{schema_blocks}
</main></body></html>"""
