"""Exception handlers: every error is JSON `{error, detail}`; no note text is logged or echoed."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from nlp.errors import FacetcoderError, InputError
from pipelines.web.service import AnalysisFailed, NoteTimedOut, TooManyNotes, UnknownPayer

log = logging.getLogger("facetcoder.web")

# InputError codes -> HTTP status (too_large is a size problem; the rest are bad input).
INPUT_STATUS = {"too_large": 413}


def error_response(status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


def describe_validation(exc: RequestValidationError) -> tuple[str, str]:
    """(code, readable detail) from pydantic errors, naming fields but never echoing input values."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        ctx = next(e.get("ctx", {}) for e in errors if e.get("type") == "json_invalid")
        return "invalid_json", f"request body is not valid JSON ({ctx.get('error', 'parse error')})"
    whole = [e for e in errors if tuple(e.get("loc", ())) == ("body",)]
    if whole:
        if whole[0].get("type") == "missing":
            return "invalid_request", "request body is empty: expected a JSON object"
        return "invalid_request", "request body must be a JSON object, sent with Content-Type: application/json"
    parts = []
    for e in errors[:10]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return "invalid_request", "; ".join(parts)


def install_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on the app."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        code, detail = describe_validation(exc)
        return error_response(422, code, detail)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return error_response(INPUT_STATUS.get(exc.code, 422), exc.code, str(exc))

    @app.exception_handler(UnknownPayer)
    async def _payer(_: Request, exc: UnknownPayer) -> JSONResponse:
        return error_response(422, "unknown_payer", str(exc))

    @app.exception_handler(NoteTimedOut)
    async def _timed_out(_: Request, exc: NoteTimedOut) -> JSONResponse:
        return error_response(422, "analysis_timeout", str(exc))

    @app.exception_handler(TooManyNotes)
    async def _too_many(_: Request, exc: TooManyNotes) -> JSONResponse:
        return error_response(413, "too_many_notes", str(exc))

    @app.exception_handler(FacetcoderError)
    async def _facetcoder(_: Request, exc: FacetcoderError) -> JSONResponse:
        # Bad requests were caught above; what is left is server configuration (a rule table, a profile).
        log.error("configuration error: %s", type(exc).__name__)
        return error_response(500, "configuration", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 503: "not_ready"}
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail), exc.headers)

    @app.exception_handler(AnalysisFailed)
    async def _failed(_: Request, exc: AnalysisFailed) -> JSONResponse:
        log.error("analysis failed: %s", exc)  # type and location only
        return error_response(500, "internal", "the note could not be analysed because of an internal error")
