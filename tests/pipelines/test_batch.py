"""Batch runs: one output row per input row, in order, on archives with injected faults; atomic,
resumable output (a run killed with SIGKILL and resumed equals an uninterrupted run)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from nlp.schema import NoteResult
from pipelines.batch import BatchError, BatchOptions, batch_cli, run_batch
from pipelines.readers import ArchiveError, Columns
from pipelines.writers import split_record

GIANT = "Lumbar facet injection. " * 12_000  # ~290 KB, over the 200 KB limit
OPTS = BatchOptions(workers=1, progress=False)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def codes(rows: list[dict]) -> list[str | None]:
    return [r["error"] for r in rows]


def write_csv(path: Path, records: list[dict], extra_raw: bytes = b"") -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["note_id", "text", "patient_id", "date_of_service"])
        writer.writeheader()
        writer.writerows(records)
    with path.open("ab") as fh:
        fh.write(extra_raw)


@pytest.fixture(scope="module")
def fault_csv(tmp_path_factory, golden_texts, make_records) -> tuple[Path, list[str | None]]:
    """A CSV with good notes interleaved with every fault; returns the path and the expected codes."""
    good = make_records(6)
    records = [good[0], {"note_id": "EMPTY", "text": "  \n "}, good[1], {"note_id": "", "text": golden_texts[2]},
               good[2], {"note_id": "N00000", "text": golden_texts[3]}, {"note_id": "GIANT", "text": GIANT}, good[3]]
    raw = (b'NONUTF8,"Lumbar medial branch block caf\xe9 at L4-L5",P001,2024-01-02\r\n'
           b'BINARY,"%PDF\x00\x01\x02",P001,2024-01-02\r\n'
           b'SHORT,only two cells\r\n')
    path = tmp_path_factory.mktemp("csv") / "notes.csv"
    write_csv(path, records, raw)
    expected = [None, "empty", None, "missing_id", None, "duplicate_id", "too_large", None, "encoding", "binary", "malformed_row"]
    return path, expected


def test_csv_faults_one_row_per_input_row_in_order(fault_csv, tmp_path) -> None:
    path, expected = fault_csv
    out = tmp_path / "out.jsonl"
    summary = run_batch(path, out, options=OPTS)
    rows = read_jsonl(out)
    assert [r["row"] for r in rows] == list(range(len(expected)))
    assert codes(rows) == expected
    assert summary.rows == len(expected) and summary.results == expected.count(None)
    assert summary.errors == {c: expected.count(c) for c in expected if c}
    assert rows[0]["note_id"] == "N00000" and rows[5]["note_id"] == "N00000"
    dup = rows[5]
    assert dup["flags"][0]["id"] == "NOT_ANALYZED" and "row 0" in dup["flags"][0]["message"]
    for row in rows:  # every line is a NoteResult plus batch metadata
        meta, result = split_record(row)
        assert isinstance(result, NoteResult)
    assert not list(tmp_path.glob("*.partial.jsonl")) and not list(tmp_path.glob("*.progress.json"))


def test_jsonl_faults(tmp_path, golden_texts, make_records) -> None:
    good = make_records(3)
    lines = [json.dumps(good[0]), "{not json", json.dumps({"note_id": "NOTEXT"}), "", json.dumps([1, 2]),
             json.dumps({"note_id": "BIN", "text": "a\x00b"}), json.dumps(good[1]), json.dumps({"text": golden_texts[0]}),
             json.dumps({"note_id": "NULL", "text": None}), json.dumps(good[2])]
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_batch(path, tmp_path / "out.jsonl", options=OPTS)
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert codes(rows) == [None, "malformed_row", "missing_text", "malformed_row", "binary", None, "missing_id", "missing_text", None]


def test_folder_faults_recursive(tmp_path, golden_texts) -> None:
    root = tmp_path / "notes"
    (root / "clinic_b").mkdir(parents=True)
    (root / "a.txt").write_text(golden_texts[0], encoding="utf-8")
    (root / "b_empty.txt").write_text("", encoding="utf-8")
    (root / "c_bin.txt").write_bytes(b"\x89PNG\x00\x00\x00")
    (root / "d_latin1.txt").write_bytes("Lumbar facet block, caf\u00e9".encode("latin-1"))
    (root / "e_giant.txt").write_text(GIANT, encoding="utf-8")
    (root / "ignored.pdf").write_bytes(b"%PDF")
    (root / "clinic_b" / "a.txt").write_text(golden_texts[1], encoding="utf-8")
    run_batch(root, tmp_path / "out.jsonl", options=OPTS)
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert [r["note_id"] for r in rows] == ["a", "b_empty", "c_bin", "d_latin1", "e_giant", "clinic_b/a"]
    assert codes(rows) == [None, "empty", "binary", "encoding", "too_large", None]


def test_parquet_tidy_tables(tmp_path, golden_texts, make_records) -> None:
    records = make_records(5) + [{"note_id": "NULL", "text": None, "patient_id": "P1", "date_of_service": "2024-01-01"}]
    path = tmp_path / "notes.parquet"
    pd.DataFrame(records).to_parquet(path)
    run_batch(path, tmp_path / "ref.jsonl", options=OPTS)
    run_batch(path, tmp_path / "out.parquet", options=OPTS)
    run_batch(path, tmp_path / "out.csv", options=OPTS)
    full = read_jsonl(tmp_path / "ref.jsonl")
    for ext, read in (("parquet", pd.read_parquet), ("csv", lambda p: pd.read_csv(p, keep_default_na=False, na_values=[""]))):
        notes = read(tmp_path / f"out.{ext}")
        assert list(notes["row"]) == list(range(6))
        assert list(notes["note_id"]) == [r["note_id"] for r in full]
        assert notes["error"].iloc[-1] == "missing_text"
        assert list(notes["n_flags"]) == [len(r["flags"]) for r in full]
        flags = read(tmp_path / f"out.flags.{ext}")
        assert len(flags) == sum(len(r["flags"]) for r in full)
        claims = read(tmp_path / f"out.claim_lines.{ext}")
        assert len(claims) == sum(len(r["claim_lines"]) for r in full)


def test_missing_columns_exit_2_names_expected_and_found(tmp_path, capsys) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match=r"missing column\(s\) \['note_id', 'text'\].*found columns \['id', 'body'\]"):
        run_batch(path, tmp_path / "out.jsonl", options=OPTS)
    assert batch_cli(path, tmp_path / "out.jsonl", workers=1, progress=False) == 2
    assert "found columns ['id', 'body']" in capsys.readouterr().err
    assert batch_cli(path, tmp_path / "out.jsonl", id_col="id", text_col="body", patient_col="patient",
                     workers=1, progress=False) == 2  # an optional column asked for by name must exist
    assert batch_cli(path, tmp_path / "out.jsonl", id_col="id", text_col="body", workers=1, progress=False) == 0


def test_output_extension_is_checked(tmp_path, fault_csv) -> None:
    assert batch_cli(fault_csv[0], tmp_path / "out.xlsx", workers=1, progress=False) == 2


def test_two_workers_match_one_worker(tmp_path, golden_texts, make_records) -> None:
    path = tmp_path / "notes.jsonl"
    records = make_records(24)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    run_batch(path, tmp_path / "one.jsonl", options=BatchOptions(workers=1, progress=False))
    run_batch(path, tmp_path / "two.jsonl", options=BatchOptions(workers=2, chunk_size=5, progress=False))
    assert read_jsonl(tmp_path / "one.jsonl") == read_jsonl(tmp_path / "two.jsonl")


def test_leftover_partial_needs_resume_or_overwrite(tmp_path, fault_csv) -> None:
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.partial.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(BatchError, match="--resume"):
        run_batch(fault_csv[0], out, options=OPTS)
    run_batch(fault_csv[0], out, options=BatchOptions(workers=1, progress=False, overwrite=True))
    assert len(read_jsonl(out)) == len(fault_csv[1])


def test_resume_refuses_a_changed_input(tmp_path, golden_texts, make_records) -> None:
    path, out = tmp_path / "notes.jsonl", tmp_path / "out.jsonl"
    path.write_text(json.dumps(make_records(1)[0]) + "\n", encoding="utf-8")
    (tmp_path / "out.jsonl.partial.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "out.jsonl.progress.json").write_text(json.dumps(
        {"version": 1, "fingerprint": {"input": "elsewhere"}, "rows_done": 0, "offset": 0, "phase": "analyse"}), encoding="utf-8")
    with pytest.raises(BatchError, match="changed"):
        run_batch(path, out, options=BatchOptions(workers=1, progress=False, resume=True))


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", "batch", *args]


def test_killed_run_resumes_to_identical_output(tmp_path, golden_texts, make_records) -> None:
    """kill -9 a 1-worker CLI run once its partial file has rows; --resume must equal an uninterrupted run.

    The uninterrupted reference runs in this process while a watcher thread kills and resumes the
    CLI subprocess, so the two overlap on a multi-core machine."""
    records = make_records(300)
    records[17]["text"] = ""
    records[150]["note_id"] = records[3]["note_id"]
    path = tmp_path / "notes.csv"
    write_csv(path, records)
    out, ref = tmp_path / "out.jsonl", tmp_path / "ref.jsonl"
    partial, progress = tmp_path / "out.jsonl.partial.jsonl", tmp_path / "out.jsonl.progress.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    args = _cli(str(path), "--out", str(out), "--workers", "1", "--chunk-size", "16", "--no-progress")
    seen: dict = {}

    def kill_then_resume() -> None:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if partial.exists() and partial.read_bytes().count(b"\n") >= 32:
                break
            time.sleep(0.05)
        seen["alive_at_kill"] = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen["out_after_kill"] = out.exists()
        seen["rows_done"] = json.loads(progress.read_text())["rows_done"]
        with partial.open("ab") as fh:  # a torn write after the last recorded chunk
            fh.write(b'{"row": 99999, "note_id": "torn')
        seen["resumed"] = subprocess.run([*args, "--resume"], env=env, capture_output=True, text=True, timeout=400)

    watcher = threading.Thread(target=kill_then_resume)
    watcher.start()
    run_batch(path, ref, options=BatchOptions(workers=1, chunk_size=16, progress=False))
    watcher.join(timeout=600)

    assert seen["alive_at_kill"], "the run finished before it could be killed"
    assert not seen["out_after_kill"]
    assert 0 < seen["rows_done"] < 300
    resumed = seen["resumed"]
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed at row" in resumed.stderr
    assert read_jsonl(out) == read_jsonl(ref)
    assert not partial.exists() and not progress.exists()


def test_cli_batch_writes_tidy_csv_and_summary(tmp_path, make_records) -> None:
    from typer.testing import CliRunner

    from pipelines.cli import app

    path = tmp_path / "notes.tsv"
    records = make_records(4)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(records[0]), delimiter="\t")
        writer.writeheader()
        writer.writerows(records)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["batch", str(path), "--out", str(out), "--workers", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "rows in" in result.output and "notes/s" in result.output
    for name in ("out.csv", "out.claim_lines.csv", "out.flags.csv"):
        assert (tmp_path / name).exists()
    assert len(pd.read_csv(out)) == 4
    bad = CliRunner().invoke(app, ["batch", str(path), "--out", str(out), "--text-col", "body", "--no-progress"])
    assert bad.exit_code == 2 and "found columns" in bad.output


def test_payer_column_per_row(tmp_path, make_records) -> None:
    records = make_records(3)
    for rec, payer in zip(records, ["commercial", "", "acme"]):
        rec["payer_name"] = payer
    path = tmp_path / "notes.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    run_batch(path, tmp_path / "out.jsonl", Columns(payer="payer_name"), OPTS, explicit={"payer"})
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert [r["payer"] for r in rows[:2]] == ["commercial", "medicare"]
    assert codes(rows) == [None, None, "unknown_payer"]


def test_record_line_is_the_result_plus_batch_fields_in_order(pipeline):
    """The spliced JSON line parses to exactly {row, NoteResult fields..., patient_id, date_of_service, related_visits}."""
    from nlp.api import Analyzer
    from pipelines.batch import record_line
    from pipelines.readers import SourceRow

    text = "PROCEDURE: Right L4-5 facet joint injection under fluoroscopy. Pain 7/10 before, 2/10 after. \u00e9\u2013\"quoted\""
    result = Analyzer(nlp=pipeline).analyze(text, "n\u00e91")
    row = SourceRow(row=7, note_id="n\u00e91", text=text, patient_id="P\"1", date_of_service="2024-03-01")
    line = record_line(row, result)
    want = {"row": 7, **result.model_dump(mode="json"), "patient_id": 'P"1', "date_of_service": "2024-03-01", "related_visits": []}
    parsed = json.loads(line)
    assert parsed == want and list(parsed) == list(want)
    assert "\n" not in line and "\u00e9" in line  # one line, UTF-8 kept as is
    empty = record_line(SourceRow(row=8, note_id=None, text=None), result)
    assert json.loads(empty)["patient_id"] is None
