"""Streamed, atomic writers for batch output: JSONL (full results) or tidy CSV/Parquet tables.

Each output record is a NoteResult dump plus `row`, `patient_id`, `date_of_service` and
`related_visits`. Tidy outputs are three tables: one row per note (OUTPUT), one per claim line
(`<stem>.claim_lines.<ext>`) and one per flag (`<stem>.flags.<ext>`). Everything is written to
temp files beside the target and renamed into place by `commit()`; `abort()` removes the temps.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from nlp.errors import FacetcoderError
from nlp.schema import NoteResult

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
META_KEYS = ("row", "patient_id", "date_of_service", "related_visits")
_SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}

# (column, arrow type) of the tidy tables; the Spark job uses NOTE_COLUMNS too.
NOTE_COLUMNS: list[tuple[str, str]] = [
    ("row", "int64"), ("note_id", "string"), ("patient_id", "string"), ("date_of_service", "string"),
    ("payer", "string"), ("error", "string"), ("procedure_family", "string"), ("other_families", "string"),
    ("imaging", "string"), ("intent", "string"), ("regions", "string"), ("levels", "string"),
    ("percent_relief_max", "float64"), ("cpt_codes", "string"), ("n_claim_lines", "int64"),
    ("flag_ids", "string"), ("n_flags", "int64"), ("max_severity", "string"), ("review_status", "string"),
    ("review_reasons", "string"), ("schema_version", "string"),
]
CLAIM_COLUMNS: list[tuple[str, str]] = [
    ("row", "int64"), ("note_id", "string"), ("line", "int64"), ("cpt", "string"), ("modifiers", "string"),
    ("units", "int64"), ("icd10", "string"), ("levels", "string"), ("description", "string"), ("rule_ids", "string"),
]
FLAG_COLUMNS: list[tuple[str, str]] = [
    ("row", "int64"), ("note_id", "string"), ("flag", "int64"), ("id", "string"), ("severity", "string"),
    ("message", "string"), ("fix", "string"), ("rule_ids", "string"), ("scope", "string"), ("visits", "string"),
]


class OutputError(FacetcoderError):
    """The output path cannot be written (unknown extension, missing folder)."""


def output_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise OutputError(f"cannot write {path.name!r}: expected an output ending in .jsonl, .csv or .parquet")
    if not path.parent.exists():
        raise OutputError(f"cannot write {str(path)!r}: folder {str(path.parent)!r} does not exist")
    return fmt


def side_paths(path: Path) -> dict[str, Path]:
    """The files a run writes for `path`: notes (the path itself) plus the tidy claim-line and flag tables."""
    if output_format(path) == "jsonl":
        return {"notes": path}
    stem, ext = path.name[: -len(path.suffix)], path.suffix
    return {"notes": path, "claim_lines": path.with_name(f"{stem}.claim_lines{ext}"),
            "flags": path.with_name(f"{stem}.flags{ext}")}


def split_record(obj: dict[str, Any]) -> tuple[dict[str, Any], NoteResult]:
    """(batch metadata, NoteResult) from one JSONL output record."""
    data = dict(obj)
    meta = {key: data.pop(key, None) for key in META_KEYS}
    return meta, NoteResult.model_validate(data)


def _join(items: Any) -> str:
    return ";".join(str(i) for i in items)


def note_row(obj: dict[str, Any]) -> dict[str, Any]:
    """The tidy one-row-per-note view of an output record (also the Spark job's columns)."""
    levels = obj.get("levels") or []
    flags = obj.get("flags") or []
    lines = obj.get("claim_lines") or []
    relief = [r["percent"] for r in obj.get("percent_relief") or []]
    severities = [f["severity"] for f in flags]
    return {
        "row": obj["row"], "note_id": obj.get("note_id"), "patient_id": obj.get("patient_id"),
        "date_of_service": obj.get("date_of_service"), "payer": obj.get("payer"), "error": obj.get("error"),
        "procedure_family": (obj.get("procedure") or {}).get("family"),
        "other_families": _join((obj.get("procedure") or {}).get("other_families", [])),
        "imaging": (obj.get("imaging") or {}).get("modality"), "intent": (obj.get("intent") or {}).get("value"),
        "regions": _join(sorted({lv["region"] for lv in levels})),
        "levels": _join(f"{lv['joint']} {lv.get('side', 'unspecified')}" for lv in levels),
        "percent_relief_max": float(max(relief)) if relief else None,
        "cpt_codes": _join(line["cpt"] for line in lines), "n_claim_lines": len(lines),
        "flag_ids": _join(f["id"] for f in flags), "n_flags": len(flags),
        "max_severity": max(severities, key=_SEVERITY_RANK.__getitem__) if severities else None,
        "review_status": (obj.get("review") or {}).get("status"),
        "review_reasons": _join(r["id"] for r in (obj.get("review") or {}).get("reasons", [])),
        "schema_version": obj.get("schema_version"),
    }


def claim_rows(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"row": obj["row"], "note_id": obj.get("note_id"), "line": i, "cpt": line["cpt"],
         "modifiers": _join(line.get("modifiers", [])), "units": line.get("units", 1), "icd10": _join(line.get("icd10", [])),
         "levels": _join(line.get("levels", [])), "description": line.get("description", ""), "rule_ids": _join(line.get("rule_ids", []))}
        for i, line in enumerate(obj.get("claim_lines") or [], start=1)
    ]


def flag_rows(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per flag; cross-visit flags (the last len(related_visits) flags) carry the visits they name."""
    flags = obj.get("flags") or []
    related = obj.get("related_visits") or []
    first_long = len(flags) - len(related)
    rows = []
    for i, flag in enumerate(flags, start=1):
        visits = related[i - 1 - first_long]["visits"] if i - 1 >= first_long else None
        rows.append({"row": obj["row"], "note_id": obj.get("note_id"), "flag": i, "id": flag["id"],
                     "severity": flag["severity"], "message": flag["message"], "fix": flag["fix"],
                     "rule_ids": _join(flag.get("rule_ids", [])), "scope": "visits" if visits is not None else "note",
                     "visits": json.dumps(visits) if visits is not None else None})
    return rows


def _fsync_replace(tmp: Path, target: Path) -> None:
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


class _Table:
    """One tidy table streamed to CSV or Parquet (row groups of `buffer` rows)."""

    def __init__(self, path: Path, fmt: str, columns: list[tuple[str, str]], buffer: int = 2000) -> None:
        self.path, self.fmt, self.columns, self.buffer = path, fmt, columns, buffer
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        self.rows: list[dict[str, Any]] = []
        if fmt == "csv":
            self.fh = self.tmp.open("w", encoding="utf-8", newline="")
            self.csv = csv.DictWriter(self.fh, fieldnames=[c for c, _ in columns])
            self.csv.writeheader()
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            self.schema = pa.schema([(c, getattr(pa, t)()) for c, t in columns])
            self.pq = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self.fmt == "csv":
            self.csv.writerows(rows)
            return
        self.rows.extend(rows)
        if len(self.rows) >= self.buffer:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.pq.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        if self.fmt == "csv":
            self.fh.close()
        else:
            self._flush()
            self.pq.close()

    def commit(self) -> None:
        _fsync_replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


class ResultWriter:
    """Writes output records to `path` (format from its extension), atomically on `commit()`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.fmt = output_format(self.path)
        paths = side_paths(self.path)
        if self.fmt == "jsonl":
            self.tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")
            self.fh = self.tmp.open("w", encoding="utf-8")
            self.tables: dict[str, _Table] = {}
        else:
            self.tables = {
                "claim_lines": _Table(paths["claim_lines"], self.fmt, CLAIM_COLUMNS),
                "flags": _Table(paths["flags"], self.fmt, FLAG_COLUMNS),
                "notes": _Table(paths["notes"], self.fmt, NOTE_COLUMNS),
            }

    def write(self, obj: dict[str, Any], line: str | None = None) -> None:
        """Write one record; `line` is its JSON text when already serialised (JSONL fast path)."""
        if self.fmt == "jsonl":
            self.fh.write((line if line is not None else json.dumps(obj, ensure_ascii=False)) + "\n")
            return
        self.tables["notes"].write([note_row(obj)])
        self.tables["claim_lines"].write(claim_rows(obj))
        self.tables["flags"].write(flag_rows(obj))

    def commit(self) -> list[Path]:
        """Close, fsync and rename every file into place (side tables first, the main output last)."""
        if self.fmt == "jsonl":
            self.fh.close()
            _fsync_replace(self.tmp, self.path)
            return [self.path]
        for table in self.tables.values():
            table.close()
        for table in self.tables.values():
            table.commit()
        return [t.path for t in self.tables.values()]

    def abort(self) -> None:
        if self.fmt == "jsonl":
            self.fh.close()
            self.tmp.unlink(missing_ok=True)
        for table in self.tables.values():
            try:
                table.close()
            finally:
                table.abort()
