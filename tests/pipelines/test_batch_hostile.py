"""Batch runs against hostile archives and broken machines (issue 11): bad cells, unterminated CSV quotes,
FIFOs and links in a folder, a second run on the same output, a note over its time limit, a full disk,
and workers whose parent is killed. Every case keeps one output row per input row or refuses clearly."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import pipelines.batch as batch
from pipelines.batch import BatchOptions, batch_cli, run_batch
from pipelines.run_lock import OutputLock, OutputLocked, lock_path

OPTS = BatchOptions(workers=1, progress=False)
NOTE = ("Procedure: right L4-L5 facet joint injection under fluoroscopy. 1 mL 0.5% bupivacaine with 10 mg "
        "triamcinolone was injected. Pain 6/10 before, 1/10 after.")


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _csv(path: Path, body: bytes) -> Path:
    path.write_bytes(b"note_id,text,patient_id,date_of_service\n" + body)
    return path


def test_bad_cells_become_error_rows_and_the_rest_is_analysed(tmp_path) -> None:
    line = NOTE.encode()
    src = _csv(tmp_path / "in.csv",
               b'A,"' + line + b'",P\x961,2025-01-02\n'      # cp1252 byte in the patient id
               b'B,"' + line + b'",P2,0001-01-01\n'           # a date no visit can have
               b'C,"' + line + b'",P3,2025-13-45\n'           # not a date
               b'D\x97,"' + line + b'",P4,2025-01-04\n'       # undecodable id
               b'E,"' + line + b'",P5,2025-01-05\n')
    out = tmp_path / "out.jsonl"
    run_batch(src, out, options=OPTS)
    rows = rows_of(out)
    assert [r["error"] for r in rows] == ["bad_cell", "bad_cell", "bad_cell", "bad_cell", None]
    assert "patient_id" in rows[0]["flags"][0]["message"] and rows[0]["patient_id"] is None
    assert "0001-01-01" in rows[1]["flags"][0]["message"] and "2025-13-45" in rows[2]["flags"][0]["message"]
    assert rows[3]["note_id"] == "D\\x97"  # the row is still named
    assert rows[4]["claim_lines"]


def test_lone_surrogate_in_a_jsonl_patient_id_is_a_bad_cell(tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"note_id": "A", "text": NOTE, "patient_id": "P\ud800"}) + "\n"
                   + json.dumps({"note_id": "B", "text": NOTE, "patient_id": "P2"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_batch(src, out, options=OPTS)
    assert [r["error"] for r in rows_of(out)] == ["bad_cell", None]


def test_an_unterminated_csv_quote_is_reported_not_merged_silently(tmp_path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(f'note_id,text\nQ1,"{NOTE}\nQ2,"{NOTE}"\nQ3,"{NOTE}"\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_batch(src, out, options=OPTS)
    rows = rows_of(out)
    assert rows[0]["error"] == "malformed_row" and "quote" in rows[0]["flags"][0]["message"]
    assert rows[-1]["note_id"] == "Q3" and rows[-1]["error"] is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
def test_fifos_devices_and_links_in_a_folder_are_error_rows_never_opened(tmp_path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a_good.txt").write_text(NOTE, encoding="utf-8")
    os.mkfifo(folder / "b_fifo.txt")
    (folder / "c_zero.txt").symlink_to("/dev/zero")
    (folder / "d_dangling.txt").symlink_to(tmp_path / "missing.txt")
    outside = tmp_path / "outside.txt"
    outside.write_text(NOTE, encoding="utf-8")
    (folder / "e_outside.txt").symlink_to(outside)
    (folder / "f_inside.txt").symlink_to(folder / "a_good.txt")
    out = tmp_path / "out.jsonl"
    worker = threading.Thread(target=run_batch, args=(folder, out), kwargs={"options": OPTS}, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the run blocked on a FIFO or an endless file"
    rows = {r["note_id"]: r["error"] for r in rows_of(out)}
    assert rows == {"a_good": None, "b_fifo": "not_a_file", "c_zero": "not_a_file", "d_dangling": "unreadable",
                    "e_outside": "not_a_file", "f_inside": None}


def test_a_second_run_on_the_same_output_is_refused_naming_the_holder(tmp_path, capsys) -> None:
    src = _csv(tmp_path / "in.csv", f'A,"{NOTE}",P1,2025-01-02\n'.encode())
    out = tmp_path / "out.jsonl"
    with OutputLock(out):
        with pytest.raises(OutputLocked, match=f"pid {os.getpid()}"):
            run_batch(src, out, options=OPTS)
        assert batch_cli(src, out, workers=1, progress=False) == 2
        assert "another batch run" in capsys.readouterr().err
    assert not out.exists()
    run_batch(src, out, options=OPTS)  # released: the next run goes ahead
    assert len(rows_of(out)) == 1


def test_a_killed_holder_does_not_block_the_next_run(tmp_path) -> None:
    out = tmp_path / "out.jsonl"
    code = ("import sys, time; from pathlib import Path; from pipelines.run_lock import OutputLock\n"
            "with OutputLock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(OutputLocked):
        OutputLock(out).__enter__()
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    with OutputLock(out):
        assert lock_path(out).exists()


class _SlowAnalyzer:
    """Analyses normally, but sleeps on a note that says SLOW (a stand-in for a note that would hang)."""

    def __init__(self, real) -> None:
        self.real = real

    def analyze_many(self, items, batch_size=64):
        for note_id, text, payer in items:
            yield self.analyze(text, note_id, payer=payer)

    def analyze(self, text, note_id="note", payer=None):
        if "SLOW" in text:
            time.sleep(30)
        return self.real.analyze(text, note_id, payer=payer)


def test_a_note_over_its_time_limit_becomes_a_timeout_row_and_the_others_are_analysed(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(batch, "_ANALYZER", _SlowAnalyzer(batch.get_analyzer("medicare")))
    src = _csv(tmp_path / "in.csv", f'A,"{NOTE}",P1,2025-01-02\nB,"SLOW {NOTE}",P2,2025-01-02\n'
                                    f'C,"{NOTE}",P3,2025-01-03\n'.encode())
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    run_batch(src, out, options=BatchOptions(workers=1, progress=False, note_timeout=1.0))
    assert time.monotonic() - started < 20
    rows = rows_of(out)
    assert [r["error"] for r in rows] == [None, "analysis_timeout", None]
    assert "1 s" in rows[1]["flags"][0]["message"]


def test_a_full_disk_gives_a_clear_message_and_leaves_no_temporary_file(tmp_path, monkeypatch, capsys) -> None:
    src = _csv(tmp_path / "in.csv", f'A,"{NOTE}",P1,2025-01-02\n'.encode())
    out = tmp_path / "out.csv"

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(batch.ResultWriter, "write", full)
    assert batch_cli(src, out, workers=1, progress=False) == 2
    err = capsys.readouterr().err
    assert "is full" in err and "--resume" in err and "Traceback" not in err
    assert not list(tmp_path.glob(".*.tmp-*"))
    monkeypatch.undo()
    assert batch_cli(src, out, workers=1, progress=False, resume=True) == 0
    assert out.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux only")
def test_a_worker_dies_when_its_parent_is_killed(tmp_path) -> None:
    pid_file = tmp_path / "child.pid"
    child = ("import os, sys, time; from pipelines.batch import die_with_parent; die_with_parent(int(sys.argv[1])); "
             "open(sys.argv[2], 'w').write(str(os.getpid())); time.sleep(60)")
    parent = ("import os, subprocess, sys, time; "
              f"subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid()), sys.argv[1]]); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", parent, str(pid_file)], cwd=Path(__file__).resolve().parents[2])
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    child_pid = int(pid_file.read_text())
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child_pid}").exists() and Path(f"/proc/{child_pid}/stat").read_text().split()[2] != "Z":
        assert time.monotonic() < deadline, "the worker outlived its killed parent"
        time.sleep(0.05)
