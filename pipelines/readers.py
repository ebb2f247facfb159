"""Streamed readers for note archives: a folder of .txt files, CSV/TSV, JSONL or Parquet.

Every reader yields one `SourceRow` per input row, in input order, and never holds the archive in
memory. Problems that make a row unusable before analysis (no id, no text cell, a line that is not
a JSON object, a short CSV row) are reported on the row (`error`), never by skipping it. Text stays
raw here (str or bytes); decoding and validation happen in the workers (`pipelines.batch`).
"""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
from datetime import date
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nlp.errors import FacetcoderError

TEXT_SUFFIXES = (".txt",)
CSV_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
_JSONL_PEEK = 50  # non-blank lines inspected to decide which keys a JSONL archive has


class ArchiveError(FacetcoderError):
    """The archive as a whole cannot be read (unknown format, required columns missing)."""


@dataclass(frozen=True)
class Columns:
    """Column names; `patient`, `date` and `payer` are optional (None: not used)."""

    id: str = "note_id"
    text: str = "text"
    patient: str | None = "patient_id"
    date: str | None = "date_of_service"
    payer: str | None = None


@dataclass
class SourceRow:
    """One input row. `text` is raw (str or bytes); `error` is a reason code set by the reader."""

    row: int
    note_id: str | None
    text: str | bytes | None
    patient_id: str | None = None
    date_of_service: str | None = None
    payer: str | None = None
    error: str | None = None
    detail: str | None = None


@dataclass
class Archive:
    """An opened archive: its kind, the columns it really has, and a row iterator factory."""

    path: Path
    kind: str
    columns: Columns
    found: list[str] = field(default_factory=list)

    @property
    def has_visits(self) -> bool:
        """True when patient id and date of service are both available (longitudinal pass)."""
        return self.columns.patient is not None and self.columns.date is not None

    def rows(self, max_bytes: int) -> Iterator[SourceRow]:
        """Stream the rows (a fresh pass each call)."""
        return _READERS[self.kind](self, max_bytes)


def _cell(value: object) -> str | None:
    """A scalar cell as a stripped string; None/NaN/'' become None."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    text = str(value).strip()
    return text or None


def _kind(path: Path) -> str:
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    raise ArchiveError(
        f"cannot read {str(path)!r}: expected a folder of .txt files or a .csv/.tsv/.jsonl/.parquet file, "
        f"received a {suffix or 'suffix-less'} file"
    )


def _resolve_columns(found: list[str], wanted: Columns, explicit: set[str], source: str) -> Columns:
    """Check required columns; optional ones are dropped when absent unless asked for explicitly."""
    missing = [name for name in (wanted.id, wanted.text) if name not in found]
    for attr in ("patient", "date", "payer"):
        name = getattr(wanted, attr)
        if name is not None and name not in found and attr in explicit:
            missing.append(name)
    if missing:
        raise ArchiveError(
            f"{source}: missing column(s) {missing}; expected {wanted.id!r} (note id) and {wanted.text!r} (note text)"
            f"{' plus the requested ' + str(sorted(explicit)) if explicit else ''}; found columns {found}"
        )
    return Columns(
        id=wanted.id,
        text=wanted.text,
        patient=wanted.patient if wanted.patient in found else None,
        date=wanted.date if wanted.date in found else None,
        payer=wanted.payer if wanted.payer in found else None,
    )


def open_archive(path: str | Path, columns: Columns | None = None, explicit: set[str] | None = None) -> Archive:
    """Open an archive and check its columns. Raises ArchiveError naming expected and found columns.

    `explicit` names the optional columns ("patient", "date", "payer") the user asked for by name:
    those must exist; the others are used only when present.
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"no such input: {str(path)!r} (expected a folder or a .csv/.tsv/.jsonl/.parquet file)")
    wanted = columns or Columns()
    explicit = explicit or set()
    kind = _kind(path)
    if kind == "folder":
        return Archive(path, kind, Columns(id="(file path)", text="(file content)", patient=None, date=None, payer=None))
    found = _found_columns(path, kind)
    return Archive(path, kind, _resolve_columns(found, wanted, explicit, path.name), found)


def _found_columns(path: Path, kind: str) -> list[str]:
    if kind == "csv":
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
            header = next(csv.reader(fh, delimiter=CSV_SUFFIXES[path.suffix.lower()]), [])
        return [h.strip() for h in header]
    if kind == "parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    keys: dict[str, None] = {}
    with path.open("rb") as fh:
        seen = 0
        for raw in fh:
            if not raw.strip():
                continue
            seen += 1
            try:
                obj = json.loads(raw.decode("utf-8", errors="surrogateescape"))
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
            if seen >= _JSONL_PEEK:
                break
    return list(keys)


# Dates of service outside this range are export errors (`0001-01-01`, `2099-12-31`): the cross-visit
# arithmetic must never see them.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE_AHEAD_DAYS = 366  # a scheduled date may be in the coming year


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: undecodable bytes kept by surrogateescape
        return False
    return True


def printable(value: str) -> str:
    """`value` as valid UTF-8: undecodable bytes shown as `\\x96` (to name a row, never to analyse it)."""
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace") \
        if not _utf8(value) else value


def _date_problem(value: str) -> str | None:
    """Why a date-of-service cell is unusable, or None."""
    from pipelines.longitudinal import parse_day

    day = parse_day(value)
    if day is None:
        return f"date of service {value!r} is not a date (expected e.g. 2025-03-14 or 03/14/2025)"
    latest = date.today().toordinal() + LATEST_DATE_AHEAD_DAYS
    if not EARLIEST_DATE <= day or day.toordinal() > latest:
        return (f"date of service {value!r} is outside {EARLIEST_DATE.isoformat()} .. "
                f"{date.fromordinal(latest).isoformat()}")
    return None


def make_row(cols: Columns, index: int, record: dict[str, object]) -> SourceRow:
    """Map a record (CSV dict, JSON object, Parquet row) onto a SourceRow with reader-level errors.

    Every cell is checked here, so a bad id, patient id, date or payer becomes this row's error
    (`bad_cell`) instead of failing the run when the row is written."""
    text = record.get(cols.text)
    note_id = _cell(record.get(cols.id))
    row = SourceRow(
        row=index,
        note_id=note_id,
        text=text if isinstance(text, str | bytes) or text is None else str(text),
        patient_id=_cell(record.get(cols.patient)) if cols.patient else None,
        date_of_service=_cell(record.get(cols.date)) if cols.date else None,
        payer=_cell(record.get(cols.payer)) if cols.payer else None,
    )
    if note_id is None:
        row.error, row.detail = "missing_id", f"no value in the id column {cols.id!r}"
        return row
    problems = []
    for attr, column in (("note_id", cols.id), ("patient_id", cols.patient), ("date_of_service", cols.date),
                         ("payer", cols.payer)):
        value = getattr(row, attr)
        if value is not None and not _utf8(value):
            problems.append(f"column {column!r} is not valid UTF-8 text")
            setattr(row, attr, printable(value) if attr == "note_id" else None)
    if row.date_of_service is not None and (why := _date_problem(row.date_of_service)) is not None:
        problems.append(f"column {cols.date!r}: {why}")
    if problems:
        row.error, row.detail = "bad_cell", "; ".join(problems)
    elif text is None:
        row.error, row.detail = "missing_text", f"no value in the text column {cols.text!r}"
    return row


def _read_folder(archive: Archive, max_bytes: int) -> Iterator[SourceRow]:
    """Every .txt file under the folder (recursive, sorted); id = relative path without .txt.

    Only regular files are read: a FIFO, device, socket, a link that leaves the folder or points
    nowhere, or a file this user may not read becomes an error row, and nothing but a regular file is
    ever opened (a FIFO would block the run, a link to /dev/zero read forever)."""
    root = archive.path
    real_root = root.resolve()
    index = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.lower().endswith(TEXT_SUFFIXES):
                continue
            file = Path(dirpath) / name
            note_id = printable(file.relative_to(root).with_suffix("").as_posix())
            yield _folder_row(index, note_id, file, real_root, max_bytes)
            index += 1


def _folder_row(index: int, note_id: str, file: Path, real_root: Path, max_bytes: int) -> SourceRow:
    def error(code: str, detail: str) -> SourceRow:
        return SourceRow(index, note_id, None, error=code, detail=detail)

    try:
        if file.is_symlink():
            target = file.resolve()
            if not target.exists():
                return error("unreadable", "the file is a link that points to nothing (a dangling link)")
            if not target.is_relative_to(real_root):
                return error("not_a_file", "the file is a link to a place outside the input folder; copy the note in")
        info = file.stat()
    except OSError as exc:
        return error("unreadable", f"cannot read the file ({exc.strerror or type(exc).__name__}; a dangling link?)")
    if not stat.S_ISREG(info.st_mode):
        return error("not_a_file", "expected a regular file, received a FIFO, device or socket; it was not opened")
    if info.st_size > max_bytes:
        return error("too_large", f"note is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes")
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)  # never blocks, even if the path was swapped for a FIFO
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return error("not_a_file", "expected a regular file, received a FIFO, device or socket")
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return error("unreadable", f"cannot read the file ({exc.strerror or type(exc).__name__})")
    if len(data) > max_bytes:
        return error("too_large", f"note is over the limit of {max_bytes:,} bytes")
    return SourceRow(index, note_id, data)


def _read_csv(archive: Archive, max_bytes: int) -> Iterator[SourceRow]:
    """csv module, one record at a time; invalid UTF-8 survives as surrogates (reported as `encoding`)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    delimiter = CSV_SUFFIXES[archive.path.suffix.lower()]
    with archive.path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        # strict: a stray or unterminated quote is an error on its record (lenient parsing would silently
        # swallow the following rows into one cell)
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        header = [h.strip() for h in next(reader, [])]
        width = len(header)
        index = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield SourceRow(index, None, None, error="malformed_row",
                                detail=f"CSV record {index + 1} (ends at line {reader.line_num}): {exc}; a quote is "
                                       f"unterminated or stray, so the rows in these lines could not be separated")
                index += 1
                continue
            if not cells:
                continue
            if len(cells) != width:
                record = dict(zip(header, cells))
                row = make_row(archive.columns, index, record)
                row.error = "malformed_row"
                row.detail = f"expected {width} cells as in the header, received {len(cells)}"
                yield row
            else:
                yield make_row(archive.columns, index, dict(zip(header, cells)))
            index += 1


def _read_jsonl(archive: Archive, max_bytes: int) -> Iterator[SourceRow]:
    """One JSON object per line; blank lines are not rows; anything else that is not an object is malformed."""
    with archive.path.open("rb") as fh:
        index = 0
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8", errors="surrogateescape"))
            except ValueError as exc:
                yield SourceRow(index, None, None, error="malformed_row", detail=f"line {lineno}: invalid JSON ({exc.__class__.__name__})")
            else:
                if isinstance(obj, dict):
                    yield make_row(archive.columns, index, obj)
                else:
                    yield SourceRow(index, None, None, error="malformed_row",
                                    detail=f"line {lineno}: expected a JSON object, received {type(obj).__name__}")
            index += 1


def _read_parquet(archive: Archive, max_bytes: int) -> Iterator[SourceRow]:
    """pyarrow `iter_batches` over only the needed columns."""
    import pyarrow.parquet as pq

    cols = archive.columns
    wanted = [c for c in (cols.id, cols.text, cols.patient, cols.date, cols.payer) if c]
    index = 0
    for batch in pq.ParquetFile(archive.path).iter_batches(batch_size=512, columns=list(dict.fromkeys(wanted))):
        for record in batch.to_pylist():
            yield make_row(archive.columns, index, record)
            index += 1


_READERS = {"folder": _read_folder, "csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}
