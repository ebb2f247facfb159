"""Validation of raw table rows and profile mappings into typed models.

Mechanism only: which files exist and how they relate is decided in `defaults.py`.
Every failure raises `RuleTableError` naming the file, the row or key, what was expected
and what was received.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from nlp.errors import RuleTableError

M = TypeVar("M", bound=BaseModel)


def _describe(exc: ValidationError, model: type[BaseModel], what: str) -> str:
    parts: list[str] = []
    allowed = ", ".join(model.model_fields)
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(row)"
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown {what} {loc!r} (expected one of: {allowed})")
        elif err["type"] == "missing":
            parts.append(f"missing {what} {loc!r}")
        else:
            parts.append(f"{what} {loc!r}: {err['msg']}; received {err.get('input')!r}")
    return "; ".join(parts)


def validate_rows(rows: Iterable[Mapping[str, Any]], model: type[M], file: str, key: str) -> list[M]:
    """Validate CSV rows; `key` names the column used to identify a row in messages."""
    out: list[M] = []
    for number, row in enumerate(rows, start=1):
        ident = row.get(key, "?")
        if None in row:
            raise RuleTableError(
                f"{file}: data row {number} ({key}={ident!r}): more cells than header columns; received extra {row[None]!r}"  # type: ignore[index]
            )
        try:
            out.append(model.model_validate(dict(row)))
        except ValidationError as exc:
            raise RuleTableError(f"{file}: data row {number} ({key}={ident!r}): {_describe(exc, model, 'column')}") from None
    if not out:
        raise RuleTableError(f"{file}: expected at least one data row, received none")
    return out


def validate_mapping(data: Any, model: type[M], file: str) -> M:
    """Validate a YAML mapping (a payer profile)."""
    if not isinstance(data, Mapping):
        raise RuleTableError(f"{file}: expected a mapping of keys to values, received {type(data).__name__}")
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise RuleTableError(f"{file}: {_describe(exc, model, 'key')}") from None


def unique(rows: Iterable[M], field: str, file: str) -> dict[Any, M]:
    """Index rows by `field`, rejecting duplicates."""
    index: dict[Any, M] = {}
    for row in rows:
        value = getattr(row, field)
        if value in index:
            raise RuleTableError(f"{file}: duplicate {field} {value!r}; expected each {field} once")
        index[value] = row
    return index
