"""The `facetcoder` command line (typer). Commands are thin wrappers over importable functions."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from nlp.text_input import MAX_NOTE_BYTES

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Facet injection note extraction, coding and denial-risk checks.")
err = Console(stderr=True)


# Options shared by several commands (same name, help and default everywhere).
PayerOption = Annotated[str, typer.Option(help="Payer profile: medicare or commercial.")]
PayerFileOption = Annotated[Path | None, typer.Option(help="A payer profile YAML file (overrides --payer).")]
MaxBytesOption = Annotated[int, typer.Option(help="Largest note accepted, in bytes.")]
IdColOption = Annotated[str, typer.Option(help="Note id column.")]
TextColOption = Annotated[str, typer.Option(help="Note text column.")]
PatientColOption = Annotated[str | None, typer.Option(help="Patient id column (default: patient_id when present).")]
DateColOption = Annotated[str | None, typer.Option(help="Date of service column (default: date_of_service when present).")]
PayerColOption = Annotated[str | None, typer.Option(help="Per-row payer profile column (overrides --payer for that row).")]


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


def _note_paths(paths: list[str]) -> list[str]:
    """Expand directories to their *.txt files (sorted); '-' stays stdin."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            out.extend(str(f) for f in sorted(path.glob("*.txt")))
        else:
            out.append(p)
    return out


def _read(path: str, max_bytes: int) -> tuple[str, str]:
    """(note_id, text); raises InputError for bad input."""
    from nlp.errors import InputError
    from nlp.text_input import decode_note

    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        return "stdin", decode_note(data, max_bytes=max_bytes)
    file = Path(path)
    if not file.is_file():
        raise InputError("missing", f"no such file: {path}")
    if file.stat().st_size > max_bytes:
        raise InputError("too_large", f"{path} is {file.stat().st_size:,} bytes; the limit is {max_bytes:,} bytes")
    return file.stem, decode_note(file.read_bytes(), max_bytes=max_bytes)


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(help="Note files, directories of *.txt, or - for stdin.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text (default), json (one note) or jsonl.")] = OutputFormat.text,
    payer: PayerOption = "medicare",
    payer_file: PayerFileOption = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when an error-severity flag fires (like a linter).")] = False,
    max_bytes: MaxBytesOption = MAX_NOTE_BYTES,
) -> None:
    """Extract facts with evidence, suggest claim lines and flag denial risks."""
    from nlp.api import Analyzer
    from nlp.errors import FacetcoderError, InputError
    from pipelines.render import render

    files = _note_paths(paths)
    if not files:
        err.print("error: no notes found (expected files, a directory with *.txt files, or -)")
        raise typer.Exit(2)
    if format is OutputFormat.json and len(files) > 1:
        err.print(f"error: --format json takes one note, received {len(files)}; use --format jsonl")
        raise typer.Exit(2)
    try:
        analyzer = Analyzer(payer=str(payer_file) if payer_file else payer)
    except FacetcoderError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    console = Console()
    bad = errors_fired = 0
    for path in files:
        try:
            note_id, text = _read(path, max_bytes)
        except InputError as exc:
            bad += 1
            err.print(f"error: {path}: {exc} [{exc.code}]")
            if format is OutputFormat.jsonl:
                print(json.dumps({"note_id": Path(path).stem if path != "-" else "stdin", "error": exc.code, "message": str(exc)}))
            continue
        result = analyzer.analyze(text, note_id=note_id)
        errors_fired += any(f.severity == "error" for f in result.flags)
        if format is OutputFormat.text:
            render(result, console)
        elif format is OutputFormat.json:
            print(result.model_dump_json(indent=2))
        else:
            print(result.model_dump_json())
    if bad:
        raise typer.Exit(2)
    if check and errors_fired:
        raise typer.Exit(1)


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSONL (one record per note).")],
    pred: Annotated[Path | None, typer.Option("--pred", help="Predictions JSONL (facetcoder analyze -f jsonl).")] = None,
    notes: Annotated[Path | None, typer.Option("--notes", help="Directory of <note_id>.txt to run the pipeline on.")] = None,
    split: Annotated[str | None, typer.Option(help="Score only this split (train, dev, test).")] = None,
    splits: Annotated[Path | None, typer.Option(help="splits.json (default: next to the gold file).")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json or markdown.")] = "table",
    errors: Annotated[Path | None, typer.Option(help="Write the error table as CSV.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG of per-field scores with 95% CIs.")] = None,
    compare_models: Annotated[bool, typer.Option("--compare-models", help="Rules-only vs rules+model (needs --notes).")] = False,
    models_dir: Annotated[Path | None, typer.Option(help="Model artifacts (default: installed models/artifacts).")] = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="Do not apply installed models.")] = False,
    payer: Annotated[str, typer.Option(help="Payer profile for claim lines and flags.")] = "medicare",
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 20240411,
    flags_scope: Annotated[str, typer.Option(help="Flag ids scored: all, gold (ids used in the gold file) or ID,ID,...")] = "all",
) -> None:
    """Score predictions against gold: accuracy / P-R-F1 with bootstrap 95% CIs, confusions, errors."""
    from pipelines.evaluate import plot_scores, render, run, write_errors_csv

    if format not in ("table", "json", "markdown"):
        err.print(f"error: --format must be table, json or markdown, received {format!r}")
        raise typer.Exit(2)
    try:
        result = run(gold, pred, notes, split, splits, compare_models, models_dir, rules_only, payer, resamples, seed,
                     flags_scope=flags_scope)
    except (ValueError, OSError) as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    title = f"{gold.name}" + (f" [{split}]" if split else "")
    print(render(result.report, format, result.comparison, title=title), end="")
    if errors:
        write_errors_csv(result.report, errors)
    if plot:
        plot_scores(result.report, plot, result.comparison, title=title)


@app.command()
def train(
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus dir: notes/*.txt, gold.jsonl, splits.json.")] = Path("data/corpus"),
    out: Annotated[Path, typer.Option("--out", help="Artifact directory.")] = Path("models/artifacts"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 13,
) -> None:
    """Train the intent and procedure-family models on the train split (skops artifacts + model card)."""
    from pipelines.train import train_models

    try:
        meta = train_models(corpus, out, seed=seed)
    except (ValueError, OSError) as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    for task, info in meta["tasks"].items():
        print(f"{task}: {info['n_train']} train notes, classes {info['classes']}, threshold {info['threshold']}")
    print(f"wrote {out}/meta.json, {out}/MODEL_CARD.md")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind; loopback by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    token: Annotated[str | None, typer.Option(envvar="FACETCODER_TOKEN", show_envvar=True, help="API token required on /api calls (prefer the env var: arguments show in ps).")] = None,
    payer: Annotated[str, typer.Option(help="Default payer profile.")] = "medicare",
    cors_origin: Annotated[list[str] | None, typer.Option("--cors-origin", help="Allow this browser origin (repeatable); no CORS by default.")] = None,
    max_batch: Annotated[int, typer.Option(help="Most notes per /api/analyze/batch call.")] = 100,
    access_log: Annotated[bool, typer.Option(help="Log one line per request (method, path, status; never bodies).")] = True,
    workers: Annotated[int, typer.Option(help="Worker processes, each with its own pipeline (~300 MB); use up to one per core.")] = 1,
    models: Annotated[bool, typer.Option("--models/--rules-only", help="Also run the installed models, which only "
                                         "record a reading and route confident disagreements to review; off by default "
                                         "(on the fresh blind batch they did not improve accuracy).")] = False,
    allowed_host: Annotated[list[str] | None, typer.Option("--allowed-host", help="Also accept this Host header "
                                                           "(repeatable); loopback names and the bound address by "
                                                           "default, so a DNS-rebinding page is refused.")] = None,
    note_timeout: Annotated[float, typer.Option(help="Seconds one note may take; a slower one gets 422 "
                                                "analysis_timeout and the pipeline is freed (0: no limit).")] = 10.0,
) -> None:
    """Serve the paste-and-code page (/) and the REST API (/api, docs at /docs)."""
    from pipelines.web.server import serve as run_server

    if not 0 < port < 65536 or max_batch < 1 or workers < 1 or note_timeout < 0:
        err.print("error: --port must be 1-65535, --max-batch and --workers at least 1, --note-timeout 0 or more; "
                  f"received {port}, {max_batch}, {workers}, {note_timeout:g}")
        raise typer.Exit(2)
    try:
        run_server(host=host, port=port, token=token, payer=payer, cors_origins=cors_origin or None, max_batch=max_batch,
                   access_log=access_log, workers=workers, use_models=models, allowed_hosts=allowed_host or None,
                   note_timeout_s=note_timeout or None)
    except ValueError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc


@app.command()
def batch(
    input: Annotated[Path, typer.Argument(help="A folder of .txt notes (recursive) or a .csv/.tsv/.jsonl/.parquet archive.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output: .jsonl (full results) or .csv/.parquet (tidy tables + .claim_lines/.flags beside it).")],
    id_col: IdColOption = "note_id",
    text_col: TextColOption = "text",
    patient_col: PatientColOption = None,
    date_col: DateColOption = None,
    payer_col: PayerColOption = None,
    payer: PayerOption = "medicare",
    payer_file: PayerFileOption = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")] = None,
    chunk_size: Annotated[int, typer.Option(help="Notes per work unit sent to a worker.")] = 128,
    max_bytes: MaxBytesOption = MAX_NOTE_BYTES,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run of the same command.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Discard an interrupted run's partial output and start over.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar (terminal) or periodic lines (stderr).")] = True,
    note_timeout: Annotated[float, typer.Option(help="Seconds one note may take; a slower one becomes an analysis_timeout row (0: no limit).")] = 20.0,
) -> None:
    """Analyse a note archive on every core: one output row per input row, resumable, cross-visit flags."""
    from pipelines.batch import batch_cli

    code = batch_cli(input, out, id_col=id_col, text_col=text_col, patient_col=patient_col, date_col=date_col,
                     payer_col=payer_col, payer=str(payer_file) if payer_file else payer, workers=workers,
                     chunk_size=chunk_size, max_bytes=max_bytes, resume=resume, overwrite=overwrite, progress=progress,
                     note_timeout=note_timeout or None)
    if code:
        raise typer.Exit(code)


@app.command()
def spark(
    input: Annotated[str, typer.Argument(help="A .parquet/.csv/.jsonl archive or a folder of .txt notes (any Spark-readable path).")],
    out: Annotated[str, typer.Option("--out", "-o", help="Output folder (Spark writes part files): .parquet, .csv or .jsonl by extension.")],
    master: Annotated[str, typer.Option(help="Spark master; local[2] by default, or leave to spark-submit with --master ''.")] = "local[2]",
    id_col: IdColOption = "note_id",
    text_col: TextColOption = "text",
    patient_col: PatientColOption = None,
    date_col: DateColOption = None,
    payer_col: PayerColOption = None,
    payer: PayerOption = "medicare",
    max_bytes: MaxBytesOption = MAX_NOTE_BYTES,
    resume: Annotated[bool, typer.Option("--resume", help="Checkpoint analysed rows in OUT.checkpoint and continue an interrupted run of the same command.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Delete an interrupted run's checkpoint and start over.")] = False,
    chunk_rows: Annotated[int, typer.Option(help="Rows per checkpoint chunk (with --resume).")] = 100_000,
) -> None:
    """Run the batch analysis on Spark (mapInPandas; the pipeline is built once per executor worker)."""
    from pipelines.spark_job import spark_cli

    code = spark_cli(input, out, master=master or None, id_col=id_col, text_col=text_col, patient_col=patient_col,
                     date_col=date_col, payer_col=payer_col, payer=payer, max_bytes=max_bytes, resume=resume,
                     overwrite=overwrite, chunk_rows=chunk_rows)
    if code:
        raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
