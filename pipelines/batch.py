"""Batch runs over note archives: every core, every row accounted for, resumable.

Two passes over an append-only partial file:

1. Analyse. Rows stream from the reader in chunks (`chunk_size` notes) to a process pool whose
   initializer builds one `Analyzer` per worker (the pipeline does not pickle); at most
   `2 * workers + 1` chunks are in flight and results are written in input order. Each chunk's
   JSON lines are appended to `OUTPUT.partial.jsonl`, flushed and fsync'ed, then the sidecar
   `OUTPUT.progress.json` (written by rename) records rows done and the byte offset. A kill at any
   point leaves at most a torn tail past that offset, which `--resume` truncates before skipping
   the recorded number of input rows (replaying only their ids, for the duplicate check).
2. Finalise. The partial file is read twice: once to collect the small per-visit records into a
   sqlite file and compute cross-visit flags per patient (`pipelines.longitudinal`), once to merge
   those flags by row and stream the final output to temp files that are renamed into place.
   The progress file says `phase: finalize` first, so a run killed here redoes only this pass.
"""

from __future__ import annotations

import errno
import gc
import json
import math
import multiprocessing as mp
import os
import signal
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.errors import FacetcoderError, InputError
from nlp.schema import Flag, NoteResult
from nlp.text_input import MAX_NOTE_BYTES, decode_note, validate_text
from pipelines.deadline import AnalysisTimeout, deadline
from pipelines.readers import Archive, Columns, SourceRow, open_archive
from pipelines.run_lock import OutputLock
from pipelines.writers import OutputError, ResultWriter, output_format, side_paths

PROGRESS_VERSION = 1
ERROR_FIX = {
    "empty": "Export the note text; the row has none.",
    "binary": "Export the note as plain UTF-8 text, not a binary document.",
    "encoding": "Re-export the note as UTF-8.",
    "too_large": "Check the export: a procedure note is a few KB; split or trim the file.",
    "missing_id": "Give every row a note id.",
    "duplicate_id": "Give every note a unique id, or remove the duplicate row.",
    "missing_text": "Fill the note text column for this row.",
    "malformed_row": "Repair the row (one JSON object per line; as many CSV cells as header columns).",
    "unknown_payer": "Use a known payer profile id in the payer column (medicare, commercial) or a profile YAML path.",
    "bad_cell": "Fix the named cell: ids and payers as UTF-8 text, dates of service as real dates (e.g. 2025-03-14).",
    "not_a_file": "Put the note in the input folder as a regular .txt file (not a link elsewhere, FIFO or device).",
    "unreadable": "Make the file readable by the user running the batch, or remove the dangling link.",
    "analysis_timeout": "The note took longer than the per-note time limit; check it is a clinical note (not a data dump).",
    "analysis_failed": "Report this note id to the facetcoder maintainers; the pipeline raised on it.",
}


# A note that takes longer than this (seconds) becomes an `analysis_timeout` row. The pipeline is linear:
# a 200 KB pathological note takes about 2 s (benchmarks/bench_reliability.py), a clinical note 10 ms.
DEFAULT_NOTE_TIMEOUT = 20.0


class BatchError(FacetcoderError):
    """The run cannot start or continue (state mismatch on resume, leftover partial output)."""


class BatchInterrupted(FacetcoderError):
    """Ctrl-C: the partial output is kept for --resume."""


@dataclass
class BatchOptions:
    payer: str = "medicare"
    workers: int | None = None  # None: all cores
    chunk_size: int = 128
    batch_size: int = 64
    max_bytes: int = MAX_NOTE_BYTES
    resume: bool = False
    overwrite: bool = False
    progress: bool = True
    progress_every: float = 10.0
    note_timeout: float | None = DEFAULT_NOTE_TIMEOUT  # seconds per note; None: no limit


@dataclass
class BatchSummary:
    rows: int = 0
    results: int = 0
    errors: Counter = field(default_factory=Counter)
    review: Counter = field(default_factory=Counter)  # auto / needs_review, over results
    cross_visit_flags: int = 0
    visits: int = 0
    longitudinal: bool = False
    resumed_at: int = 0
    analysed_this_run: int = 0
    elapsed: float = 0.0
    outputs: list[str] = field(default_factory=list)
    workers: int = 1

    @property
    def rate(self) -> float:
        return self.analysed_this_run / self.elapsed if self.elapsed > 0 else 0.0


# ---------------------------------------------------------------- worker side

_ANALYZER: Any = None


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this worker when its parent dies (kill -9 or SIGTERM of `batch` must
    not leave 350 MB workers running); exit at once if the parent is already gone. Linux only (prctl);
    elsewhere the pool's own shutdown is all there is."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        os._exit(1)


def init_worker(payer: str, ignore_sigint: bool = True, parent_pid: int | None = None) -> None:
    """Process-pool initializer: one Analyzer per worker process."""
    global _ANALYZER
    if parent_pid is not None:
        die_with_parent(parent_pid)
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and keeps the partial file
    from nlp.api import Analyzer

    _ANALYZER = Analyzer(payer)
    # The pipeline, lexicons and models live as long as the process: move them out of the cyclic
    # GC's reach so its full collections stop rescanning ~250,000 objects (about -12% CPU per note).
    gc.collect()
    gc.freeze()


def get_analyzer(payer: str) -> Any:
    """The process-wide Analyzer (built on first use; Spark executors call this)."""
    if _ANALYZER is None:
        init_worker(payer, ignore_sigint=False)
    return _ANALYZER


def _decode(text: str | bytes | None, max_bytes: int) -> str:
    """Decode/validate a raw cell; InputError codes: empty, binary, encoding, too_large."""
    if isinstance(text, bytes):
        return decode_note(text, max_bytes=max_bytes)
    if isinstance(text, str):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: undecodable bytes in a CSV/JSONL cell
            try:
                raw = text.encode("utf-8", errors="surrogateescape")
            except UnicodeEncodeError:
                raise InputError("encoding", "note contains unpaired surrogate escapes; expected UTF-8 text") from None
            return decode_note(raw, max_bytes=max_bytes)
    return validate_text(text, max_bytes=max_bytes)  # type: ignore[arg-type]


@lru_cache(maxsize=64)
def _payer_known(payer: str) -> bool:
    """True when a per-row payer names a loadable profile."""
    from nlp.coding import load_profile

    try:
        load_profile(payer)
    except FacetcoderError:
        return False
    return True


def error_result(row: SourceRow, code: str, detail: str | None, payer: str) -> NoteResult:
    """The output row for a note that could not be analysed: `error` = reason code, one NOT_ANALYZED flag."""
    message = f"Row {row.row} was not analysed ({code})" + (f": {detail}" if detail else "")
    flag = Flag(id="NOT_ANALYZED", severity="error", message=message, fix=ERROR_FIX.get(code, "Fix the input row."))
    return NoteResult(note_id=row.note_id or "", payer=row.payer or payer, error=code, flags=[flag])


def record_line(row: SourceRow, result: NoteResult) -> str:
    """One output record as a JSON line: {"row", NoteResult fields..., "patient_id", "date_of_service",
    "related_visits"}. pydantic's own JSON of the result is spliced in (3x cheaper than dump + json.dumps)."""
    body = result.model_dump_json()
    tail = json.dumps({"patient_id": row.patient_id, "date_of_service": row.date_of_service, "related_visits": []},
                      ensure_ascii=False, separators=(",", ":"))
    return f'{{"row":{int(row.row)},{body[1:-1]},{tail[1:]}'


def analyze_chunk(rows: list[SourceRow], payer: str, max_bytes: int, batch_size: int = 64,
                  note_timeout: float | None = DEFAULT_NOTE_TIMEOUT) -> list[str]:
    """Analyse a chunk in this process; one JSON line per input row, in order.

    The chunk goes through the pipeline in batches; no single step may take longer than `note_timeout`
    (a batch of clinical notes takes well under a second). When one does, or the pipeline raises, the
    notes not yet done are redone one at a time, each under `note_timeout`: the slow or failing note
    becomes an `analysis_timeout` / `analysis_failed` row and the others are analysed."""
    analyzer = get_analyzer(payer)
    results: list[NoteResult | None] = [None] * len(rows)
    todo: list[tuple[int, str, str, str | None]] = []
    for i, row in enumerate(rows):
        if row.error:
            results[i] = error_result(row, row.error, row.detail, payer)
            continue
        if row.payer and not _payer_known(row.payer):
            results[i] = error_result(row, "unknown_payer", f"no payer profile {row.payer!r} (expected medicare, commercial or a profile YAML path)", payer)
            continue
        try:
            todo.append((i, row.note_id or "", _decode(row.text, max_bytes), row.payer))
        except InputError as exc:
            results[i] = error_result(row, exc.code, str(exc), payer)
    try:
        results_iter = analyzer.analyze_many([(note_id, text, p) for _, note_id, text, p in todo], batch_size=batch_size)
        for i, *_ in todo:
            with deadline(note_timeout):
                results[i] = next(results_iter)
    except (Exception, AnalysisTimeout):  # isolate the slow or failing note(s): the rest one note at a time
        for i, note_id, text, item_payer in todo:
            if results[i] is not None:
                continue
            try:
                with deadline(note_timeout):
                    results[i] = analyzer.analyze(text, note_id, payer=item_payer)
            except AnalysisTimeout:
                results[i] = error_result(rows[i], "analysis_timeout",
                                          f"analysis took longer than the limit of {note_timeout:g} s", payer)
            except Exception as exc:  # noqa: BLE001 - every row must yield an output row
                results[i] = error_result(rows[i], "analysis_failed", f"{type(exc).__name__} in the pipeline", payer)
    return [record_line(row, result) for row, result in zip(rows, results, strict=True)]  # type: ignore[arg-type]


# ---------------------------------------------------------------- run state


class RunState:
    """The partial JSONL and its progress sidecar for one output path."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.partial = output.with_name(output.name + ".partial.jsonl")
        self.progress = output.with_name(output.name + ".progress.json")

    def exists(self) -> bool:
        return self.partial.exists() or self.progress.exists()

    def load(self) -> dict[str, Any]:
        try:
            return json.loads(self.progress.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BatchError(f"cannot resume: {self.progress.name} is unreadable ({exc}); rerun with --overwrite") from None

    def save(self, state: dict[str, Any]) -> None:
        tmp = self.progress.with_name(self.progress.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(state, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.progress)

    def clear(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.progress.unlink(missing_ok=True)


def fingerprint(archive: Archive, options: BatchOptions) -> dict[str, Any]:
    """What must not change between a run and its resume."""
    if archive.kind == "folder":  # a folder's own mtime misses edits below it: use its notes' count, size, newest mtime
        # lstat: a dangling link or a FIFO among the notes is an error row, not a reason to fail here
        stats = [(Path(d) / f).lstat() for d, _, names in os.walk(archive.path) for f in names if f.lower().endswith(".txt")]
        size, mtime, files = sum(x.st_size for x in stats), max((x.st_mtime_ns for x in stats), default=0), len(stats)
    else:
        stat = archive.path.stat()
        size, mtime, files = stat.st_size, stat.st_mtime_ns, None
    return {
        "input": str(archive.path.resolve()), "kind": archive.kind, "size": size, "mtime_ns": mtime, "files": files,
        "columns": [archive.columns.id, archive.columns.text, archive.columns.patient, archive.columns.date, archive.columns.payer],
        "payer": options.payer, "max_bytes": options.max_bytes,
    }


def count_rows(archive: Archive) -> int | None:
    """Rows in the archive, for progress (a cheap pass; None if unknown)."""
    import csv

    if archive.kind == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(archive.path).metadata.num_rows
    if archive.kind == "folder":
        return sum(1 for _, _, files in os.walk(archive.path) for f in files if f.lower().endswith(".txt"))
    if archive.kind == "jsonl":
        with archive.path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    try:
        csv.field_size_limit(2**31 - 1)
        with archive.path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
            return max(0, sum(1 for cells in csv.reader(fh, delimiter="\t" if archive.path.suffix.lower() in (".tsv", ".tab") else ",") if cells) - 1)
    except csv.Error:
        return None


class Deduper:
    """Marks repeated note ids (`duplicate_id`); the first occurrence is analysed.

    Seen ids live in a sqlite file beside the output (not in a dict), so memory stays flat on
    archives of any size; a lookup costs microseconds next to milliseconds of analysis per note.
    """

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.path = path
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID")

    def __call__(self, row: SourceRow) -> SourceRow:
        if row.note_id is None:
            return row
        if self.db.execute("INSERT OR IGNORE INTO ids VALUES (?, ?)", (row.note_id, row.row)).rowcount == 0 and row.error is None:
            (first,) = self.db.execute("SELECT row FROM ids WHERE id = ?", (row.note_id,)).fetchone()
            row.error, row.detail, row.text = "duplicate_id", f"note id already used by row {first}", None
        return row

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)


def _chunks(rows: Iterable[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    chunk: list[SourceRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Inline:
    """Single-worker 'pool': runs chunks in this process (no IPC)."""

    def submit(self, fn: Any, *args: Any) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        return None


# ---------------------------------------------------------------- driver


def run_batch(
    input_path: str | Path, output: str | Path, columns: Columns | None = None,
    options: BatchOptions | None = None, explicit: set[str] | None = None,
) -> BatchSummary:
    """Analyse every row of an archive into `output` (see module docstring). Raises ArchiveError,
    OutputError or BatchError before any work when the input, output or resume state is unusable."""
    options = options or BatchOptions()
    output = Path(output)
    output_format(output)
    archive = open_archive(input_path, columns, explicit)
    if not output.parent.is_dir():
        raise OutputError(f"cannot write {str(output)!r}: expected an existing folder, {str(output.parent)!r} is not one")
    with OutputLock(output):  # one run per output: a second one is refused, naming the holder
        return _run_locked(archive, output, options)


def _run_locked(archive: Archive, output: Path, options: BatchOptions) -> BatchSummary:
    state = RunState(output)
    started = time.monotonic()
    print_fp = fingerprint(archive, options)
    progress_state: dict[str, Any] = {"version": PROGRESS_VERSION, "fingerprint": print_fp, "rows_done": 0, "offset": 0, "phase": "analyse"}
    if options.resume and state.progress.exists():
        saved = state.load()
        if saved.get("fingerprint") != print_fp:
            diff = sorted(k for k in print_fp if saved.get("fingerprint", {}).get(k) != print_fp[k])
            raise BatchError(f"cannot resume: the input or options changed since the interrupted run ({', '.join(diff)} differ); "
                             f"rerun with the same input and options, or with --overwrite to start over")
        size = state.partial.stat().st_size if state.partial.exists() else -1
        if size < saved["offset"]:
            raise BatchError(f"cannot resume: {state.partial.name} has {max(size, 0):,} bytes but the progress file records "
                             f"{saved['offset']:,}; rerun with --overwrite to start over")
        progress_state.update(rows_done=saved["rows_done"], offset=saved["offset"], phase=saved["phase"])
    elif state.exists():
        if not options.overwrite and not options.resume:
            raise BatchError(f"an interrupted run left {state.partial.name}; pass --resume to continue it or --overwrite to start over")
        state.clear()
    for stale in side_paths(output).values():  # temp files of a finalize pass that was killed
        for tmp in stale.parent.glob(f".{stale.name}.tmp-*"):
            tmp.unlink(missing_ok=True)
    summary = BatchSummary(resumed_at=progress_state["rows_done"], longitudinal=archive.has_visits)
    if progress_state["phase"] == "analyse":
        _analyse(archive, state, progress_state, options, summary)
        progress_state["phase"] = "finalize"
        state.save(progress_state)
    _finalize(state, archive.has_visits, options, summary)
    state.clear()
    summary.elapsed = time.monotonic() - started
    return summary


def _analyse(archive: Archive, state: RunState, progress_state: dict[str, Any], options: BatchOptions, summary: BatchSummary) -> None:
    from pipelines.progress import Progress

    done = progress_state["rows_done"]
    with state.partial.open("ab") as fh:
        fh.truncate(progress_state["offset"])  # drop a torn or unrecorded tail
    total = count_rows(archive)
    remaining = (total - done) if total is not None else None
    workers = options.workers or os.cpu_count() or 1
    if remaining is not None:
        workers = max(1, min(workers, math.ceil(max(remaining, 1) / options.chunk_size)))
    summary.workers = workers
    dedupe = Deduper(state.output.with_name(f".{state.output.name}.ids.sqlite"))
    rows = (dedupe(row) for row in archive.rows(options.max_bytes))
    for _ in range(done):  # replay the rows already written: ids only
        next(rows)
    if workers == 1:
        pool: Any = _Inline()
    else:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                   initializer=init_worker, initargs=(options.payer, True, os.getpid()))
    bar = Progress(total, done=done, stream=None, every=options.progress_every) if options.progress else None
    pending: deque[tuple[int, Future]] = deque()
    in_flight = 0 if workers == 1 else 2 * workers + 1  # inline: write each chunk as soon as it is done
    try:
        with state.partial.open("ab") as out:
            def drain(limit: int) -> None:
                while len(pending) > limit:
                    n, future = pending.popleft()
                    data = "".join(line + "\n" for line in future.result()).encode("utf-8")
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                    progress_state["rows_done"] += n
                    progress_state["offset"] += len(data)
                    state.save(progress_state)
                    summary.analysed_this_run += n
                    if bar:
                        bar.advance(n)

            for chunk in _chunks(rows, options.chunk_size):
                pending.append((len(chunk), pool.submit(analyze_chunk, chunk, options.payer, options.max_bytes, options.batch_size,
                                                   options.note_timeout)))
                drain(in_flight)
            drain(0)
    except BrokenProcessPool as exc:
        raise BatchError(f"a worker process died ({exc}) after {progress_state['rows_done']:,} rows; "
                         f"the partial output is kept: rerun the same command with --resume (fewer --workers if memory is short)") from None
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise BatchInterrupted(f"interrupted after {progress_state['rows_done']:,} rows; the partial output is kept, "
                               f"rerun the same command with --resume to continue") from None
    finally:
        dedupe.close()
        if bar:
            bar.close()
    pool.shutdown(wait=True)


def _finalize(state: RunState, has_visits: bool, options: BatchOptions, summary: BatchSummary) -> None:
    """Cross-visit flags, then the final output written atomically."""
    from pipelines.longitudinal import LongitudinalIndex, merge_flags, visit_of

    output = state.output
    index = LongitudinalIndex(output.with_name(f".{output.name}.visits.sqlite")) if has_visits else None
    try:
        with state.partial.open(encoding="utf-8") as fh:
            for line in fh:
                obj = json.loads(line)
                summary.rows += 1
                if obj.get("error"):
                    summary.errors[obj["error"]] += 1
                else:
                    summary.results += 1
                    summary.review[(obj.get("review") or {}).get("status", "auto")] += 1
                if index is not None and (visit := visit_of(obj, options.payer)) is not None:
                    index.add(visit)
        flags_iter: Iterator[tuple[int, list]] = iter(())
        if index is not None:
            summary.visits = index.count
            summary.cross_visit_flags = index.compute()
            flags_iter = index.flags_by_row()
        writer = ResultWriter(output)
        try:
            next_flags = next(flags_iter, None)
            with state.partial.open(encoding="utf-8") as fh:
                for row, line in enumerate(fh):
                    line = line.rstrip("\n")
                    if next_flags is not None and next_flags[0] == row:
                        writer.write(merge_flags(json.loads(line), next_flags[1]))
                        next_flags = next(flags_iter, None)
                    elif writer.fmt == "jsonl":
                        writer.write({}, line=line)
                    else:
                        writer.write(json.loads(line))
            summary.outputs = [str(p) for p in writer.commit()]
        except BaseException:
            writer.abort()
            raise
    finally:
        if index is not None:
            index.close()


def all_outputs(output: Path) -> list[Path]:
    """Every file a finished run leaves for `output`."""
    return list(side_paths(output).values())


# ---------------------------------------------------------------- command line


def print_summary(summary: BatchSummary, console: Any) -> None:
    """Rows in, results, errors by reason, cross-visit flags, elapsed, notes/s (a rich table)."""
    from rich.table import Table

    table = Table(title="batch summary", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("rows in", f"{summary.rows:,}")
    table.add_row("results", f"{summary.results:,}")
    for reason, n in sorted(summary.errors.items()):
        table.add_row(f"errors: {reason}", f"{n:,}")
    for status in ("auto", "needs_review"):
        table.add_row(f"review: {status}", f"{summary.review[status]:,}")
    if summary.longitudinal:
        table.add_row("visits checked across notes", f"{summary.visits:,}")
        table.add_row("cross-visit flags", f"{summary.cross_visit_flags:,}")
    else:
        table.add_row("cross-visit checks", "skipped (no patient id + date columns)")
    if summary.resumed_at:
        table.add_row("resumed at row", f"{summary.resumed_at:,}")
    table.add_row("workers", str(summary.workers))
    table.add_row("elapsed", f"{summary.elapsed:,.1f} s")
    table.add_row("notes/s (this run)", f"{summary.rate:,.1f}")
    for path in summary.outputs:
        table.add_row("wrote", path)
    console.print(table)


def batch_cli(
    input_path: Path, out: Path, *, id_col: str = "note_id", text_col: str = "text", patient_col: str | None = None,
    date_col: str | None = None, payer_col: str | None = None, payer: str = "medicare", workers: int | None = None,
    chunk_size: int = 128, max_bytes: int = MAX_NOTE_BYTES, resume: bool = False, overwrite: bool = False,
    progress: bool = True, note_timeout: float | None = DEFAULT_NOTE_TIMEOUT,
) -> int:
    """The `facetcoder batch` command; returns the exit code (0 ok, 2 unusable input/output/state, 130 Ctrl-C)."""
    from rich.console import Console

    err = Console(stderr=True)
    if workers is not None and workers < 1 or chunk_size < 1:
        err.print(f"error: --workers and --chunk-size must be at least 1, received {workers} and {chunk_size}")
        return 2
    explicit = {name for name, value in (("patient", patient_col), ("date", date_col), ("payer", payer_col)) if value}
    columns = Columns(id=id_col, text=text_col, patient=patient_col or "patient_id",
                      date=date_col or "date_of_service", payer=payer_col)
    options = BatchOptions(payer=payer, workers=workers, chunk_size=chunk_size, max_bytes=max_bytes,
                           resume=resume, overwrite=overwrite, progress=progress, note_timeout=note_timeout)
    try:
        from nlp.coding import load_profile

        load_profile(payer)
        summary = run_batch(input_path, out, columns, options, explicit)
    except BatchInterrupted as exc:
        err.print(f"stopped: {exc}")
        return 130
    except KeyboardInterrupt:
        err.print("interrupted: the partial output is kept; rerun the same command with --resume to continue")
        return 130
    except FacetcoderError as exc:
        err.print(f"error: {exc}")
        return 2
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        err.print(f"error: the disk holding {str(out)!r} is full ({exc.strerror}); the rows written so far are kept: "
                  f"free some space and rerun the same command with --resume")
        return 2
    print_summary(summary, err)
    return 0
