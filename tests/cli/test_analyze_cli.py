"""`facetcoder analyze`: formats, stdin, directories, bad input, --check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "lumbar_mbb_example.txt"
runner = CliRunner()


def test_text_output_shows_facts_and_evidence():
    res = runner.invoke(app, ["analyze", str(EXAMPLE)])
    assert res.exit_code == 0, res.output
    assert "medial_branch_block" in res.output
    assert "fluoroscopy" in res.output
    assert "L4-L5" in res.output


def test_json_output_is_one_schema_object():
    res = runner.invoke(app, ["analyze", str(EXAMPLE), "--format", "json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["note_id"] == "lumbar_mbb_example"
    assert data["schema_version"] == "1.0"
    text = EXAMPLE.read_text(encoding="utf-8")
    for ev in data["imaging"]["evidence"]:
        assert text[ev["start"] : ev["end"]] == ev["text"]


def test_stdin_note():
    res = runner.invoke(app, ["analyze", "-", "--format", "json"], input="PROCEDURE: Right L4-5 MBB under fluoroscopy.\nThe needle was advanced.")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["note_id"] == "stdin"


def test_directory_jsonl_one_line_per_file_and_bad_files_do_not_stop_the_batch(tmp_path):
    (tmp_path / "a.txt").write_text(EXAMPLE.read_text())
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_bytes(b"\xff\xfe\x00binary")
    (tmp_path / "d.txt").write_text("PROCEDURE: Left C5-6 facet injection under fluoroscopy. The needle was advanced.")
    res = runner.invoke(app, ["analyze", str(tmp_path), "--format", "jsonl"])
    assert res.exit_code == 2
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["note_id"] for x in lines] == ["a", "b", "c", "d"]
    assert lines[1]["error"] == "empty" and lines[2]["error"] == "binary"
    assert lines[3]["procedure"]["family"] == "facet_joint_injection"


def test_oversized_note_is_rejected(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("pain 7/10. " * 1000)
    res = runner.invoke(app, ["analyze", str(big), "--max-bytes", "1000"])
    assert res.exit_code == 2
    assert "limit" in res.output


def test_json_format_refuses_several_notes(tmp_path):
    for n in "ab":
        (tmp_path / f"{n}.txt").write_text("x")
    res = runner.invoke(app, ["analyze", str(tmp_path), "--format", "json"])
    assert res.exit_code == 2


def test_unknown_payer_is_a_clear_error():
    res = runner.invoke(app, ["analyze", str(EXAMPLE), "--payer", "nosuchpayer"])
    assert res.exit_code == 2
    assert "nosuchpayer" in res.output


@pytest.mark.parametrize(("note", "code"), [
    ("PROCEDURE: Bilateral L4-5 medial branch blocks.\nThe needle was advanced by palpation. Bupivacaine injected.", 1),
])
def test_check_mode_exits_non_zero_on_error_flags(tmp_path, note, code):
    path = tmp_path / "n.txt"
    path.write_text(note)
    res = runner.invoke(app, ["analyze", str(path), "--check", "--format", "json"])
    assert res.exit_code == code
    assert any(f["severity"] == "error" for f in json.loads(res.stdout)["flags"])
