"""The `facetcoder` command line (typer). Commands are thin wrappers over importable functions."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Facet injection note extraction, coding and denial-risk checks.")
err = Console(stderr=True)


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
    payer: Annotated[str, typer.Option(help="Payer profile: medicare or commercial.")] = "medicare",
    payer_file: Annotated[Path | None, typer.Option(help="A payer profile YAML file (overrides --payer).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when an error-severity flag fires (like a linter).")] = False,
    max_bytes: Annotated[int, typer.Option(help="Largest note accepted, in bytes.")] = 200_000,
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
