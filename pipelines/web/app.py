"""The facetcoder web app: the paste-and-code page at `/` and the REST API under `/api`.

    from pipelines.web.app import create_app
    app = create_app()                      # loads the pipeline once, at startup
    app = create_app(analyzer=fake)         # tests inject an analyzer

Security defaults: no token unless given, no CORS unless origins are given, request size
limits on every `/api/` call, no request body ever logged (see `guard.py`, `errors.py`).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nlp import __version__
from nlp.text_input import MAX_NOTE_BYTES
from pipelines.web.docs_page import render_docs
from pipelines.web.errors import install_handlers
from pipelines.web.guard import ApiGuard
from pipelines.web.routes import build_router
from pipelines.web.service import DEFAULT_NOTE_TIMEOUT_S, AnalysisService, AnalyzerLike, load_analyzer
from pipelines.web.settings import DEFAULT_MAX_BATCH, LOOPBACK_HOSTS, Settings

STATIC_DIR = Path(__file__).parent / "static"

# The page loads only its own files; /docs (Swagger UI from FastAPI's CDN) is left out of the CSP.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/redoc",)  # /docs is our own local page and gets the strict CSP too


class SecurityHeaders:
    """Adds nosniff, no-referrer, no-store for the API and a strict CSP outside /docs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
        if not path.startswith(DOCS_PATHS):
            extra += [(b"content-security-policy", PAGE_CSP.encode()), (b"x-frame-options", b"DENY")]
        extra.append((b"cache-control", b"no-store" if path.startswith("/api/") else b"no-cache"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    analyzer: AnalyzerLike | None = None,
    token: str | None = None,
    max_bytes: int = MAX_NOTE_BYTES,
    max_batch: int = DEFAULT_MAX_BATCH,
    cors_origins: list[str] | None = None,
    payer: str = "medicare",
    max_batch_body_bytes: int = 10 * 1024 * 1024,
    use_models: bool = False,
    allowed_hosts: list[str] | None = None,
    note_timeout_s: float | None = DEFAULT_NOTE_TIMEOUT_S,
) -> FastAPI:
    """Build the app. Without `analyzer`, the real pipeline is built once at startup (~2-3 s);
    `use_models=False` serves rules-only results (no scikit-learn refinement, several times faster);
    a note holding the pipeline longer than `note_timeout_s` gets 422 analysis_timeout (None: no limit)."""
    settings = Settings(
        token=token or None, max_bytes=max_bytes, max_batch=max_batch,
        max_batch_body_bytes=max_batch_body_bytes, cors_origins=tuple(cors_origins or ()),
        allowed_hosts=tuple(allowed_hosts) if allowed_hosts else LOOPBACK_HOSTS,
    )
    service = AnalysisService(analyzer, max_bytes=max_bytes, note_timeout_s=note_timeout_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if service.analyzer is None:
            service.analyzer = await anyio.to_thread.run_sync(load_analyzer, payer, use_models)
            # As in batch workers: the pipeline lives as long as the process, so its ~250,000 objects leave the
            # cyclic GC's reach; a full collection during a long note no longer stalls the event loop ~100 ms.
            gc.collect()
            gc.freeze()
        yield

    app = FastAPI(
        title="facetcoder",
        version=__version__,
        description=(
            "Facet injection / medial branch block notes in, facts with evidence, claim lines and "
            "denial-risk flags out. Limits and profiles: `GET /api/health`."
        ),
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads assets from a CDN: a local page instead (docs_page.py)
        redoc_url=None,
    )
    app.state.service = service
    app.state.settings = settings
    install_handlers(app)
    app.include_router(build_router(settings))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(render_docs(app.openapi()))

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    # Starlette wraps in reverse order: Host check (outermost: a rebinding page is refused before anything else)
    # -> CORS (answers preflights) -> headers -> guard -> app.
    app.add_middleware(ApiGuard, token=settings.token, limit_for=settings.body_limit,
                       body_timeout_s=settings.body_timeout_s)
    app.add_middleware(SecurityHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Token", "Content-Type"],
        )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    return app
