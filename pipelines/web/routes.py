"""The `/api` endpoints. Analysis endpoints are plain `def`: FastAPI runs them in its threadpool,
so the CPU-bound pipeline never blocks the event loop (health and the page stay responsive)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import APIKeyHeader, HTTPBearer

from nlp import __version__
from nlp.errors import InputError
from nlp.schema import SCHEMA_VERSION, NoteResult
from pipelines.render import claim_line_text
from pipelines.web.models import (
    AnalyzeRequest, BatchError, BatchRequest, BatchResponse, ErrorBody, Health, Limits, PageResult,
)
from pipelines.web.service import AnalysisFailed, AnalysisService, NoteTimedOut, TooManyNotes
from pipelines.web.settings import Settings

log = logging.getLogger("facetcoder.web")

ERRORS = {
    401: {"model": ErrorBody, "description": "API token missing (only when the server has one)"},
    403: {"model": ErrorBody, "description": "API token wrong"},
    413: {"model": ErrorBody, "description": "Request body or note too large"},
    422: {"model": ErrorBody, "description": "Invalid JSON, empty/binary note, unknown payer"},
}


def _service(request: Request) -> AnalysisService:
    return request.app.state.service


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _documented_auth() -> list:
    """OpenAPI security schemes (the 'Authorize' button in /docs); `ApiGuard` enforces them."""
    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <token>")
    header = APIKeyHeader(name="X-API-Token", auto_error=False, description="or X-API-Token: <token>")
    return [Depends(bearer), Depends(header)]


def build_router(settings: Settings) -> APIRouter:
    """The API router; the auth schemes appear in OpenAPI only when a token is configured."""
    router = APIRouter(prefix="/api")
    secured = _documented_auth() if settings.token else []

    @router.get("/health", response_model=Health, tags=["service"], summary="Service status (no token needed)")
    def health(request: Request) -> Health:
        service, s = _service(request), _settings(request)
        return Health(
            status="ok" if service.loaded else "loading",
            version=__version__,
            schema_version=SCHEMA_VERSION,
            pipeline_loaded=service.loaded,
            models_applied=service.models_applied,
            profiles=service.profiles,
            default_payer=service.default_payer,
            token_required=s.token is not None,
            limits=Limits(
                max_note_bytes=s.max_bytes, max_batch=s.max_batch,
                max_body_bytes=s.max_body_bytes, max_batch_body_bytes=s.max_batch_body_bytes,
            ),
        )

    @router.post(
        "/analyze", response_model=NoteResult, responses=ERRORS, dependencies=secured, tags=["analysis"],
        summary="Analyse one note",
    )
    def analyze(body: AnalyzeRequest, request: Request) -> Response:
        result = _service(request).analyze(body.text, body.note_id, body.payer)
        return Response(result.model_dump_json(), media_type="application/json")

    @router.post(
        "/analyze/page", response_model=PageResult, responses=ERRORS, dependencies=secured, tags=["analysis"],
        summary="Analyse one note for the web page (adds the claim-line copy text)",
    )
    def analyze_page(body: AnalyzeRequest, request: Request) -> Response:
        result = _service(request).analyze(body.text, body.note_id, body.payer)
        page = PageResult(result=result, claim_text=claim_line_text(result))
        return Response(page.model_dump_json(), media_type="application/json")

    @router.post(
        "/analyze/batch", response_model=BatchResponse, responses=ERRORS, dependencies=secured, tags=["analysis"],
        summary=f"Analyse up to {settings.max_batch} notes; a bad note gets an error entry",
    )
    def analyze_batch(body: BatchRequest, request: Request) -> Response:
        service = _service(request)
        if len(body.notes) > _settings(request).max_batch:
            raise TooManyNotes(f"batch has {len(body.notes)} notes; the limit is {_settings(request).max_batch}")
        service.check_payer(body.payer)  # an unknown payer fails the whole batch (422)
        results: list[NoteResult | BatchError] = []
        for index, note in enumerate(body.notes):
            note_id = note.note_id or f"note-{index}"
            try:
                results.append(service.analyze(note.text, note_id, body.payer))
            except InputError as exc:
                results.append(BatchError(note_id=note_id, index=index, error=exc.code, detail=str(exc)))
            except NoteTimedOut as exc:
                results.append(BatchError(note_id=note_id, index=index, error="analysis_timeout", detail=str(exc)))
            except AnalysisFailed as exc:
                log.error("analysis failed in batch item %d: %s", index, exc)  # type and location only
                results.append(BatchError(note_id=note_id, index=index, error="internal", detail="internal error"))
        return Response(BatchResponse(results=results).model_dump_json(), media_type="application/json")

    return router
