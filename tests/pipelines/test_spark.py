"""Spark parity: `pipelines.spark_job` on local[2] gives the same records as the local batch."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

pytestmark = [pytest.mark.spark, pytest.mark.slow]

if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (java not found on PATH); run scripts/install_java.sh", allow_module_level=True)
pytest.importorskip("pyspark", reason="pyspark is not installed (pip install facetcoder[spark])")


@pytest.fixture(scope="module")
def spark():
    from pipelines.spark_job import local_session

    session = local_session("local[2]", app_name="facetcoder-test")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_local2_matches_local_batch(spark, tmp_path, make_records, golden_texts) -> None:
    from pipelines.batch import BatchOptions, run_batch
    from pipelines.readers import Columns
    from pipelines.spark_job import analyze_dataframe, read_archive
    from pipelines.writers import NOTE_COLUMNS

    records = make_records(28, patients=3)
    records[5]["text"] = " "                          # empty
    records[9]["note_id"] = records[2]["note_id"]     # duplicate id
    records[12]["note_id"] = None                     # missing id
    records[20]["text"] = None                        # missing text
    records[25]["text"] = "x" * 250_000               # too large
    path = tmp_path / "notes.parquet"
    pd.DataFrame(records).to_parquet(path, row_group_size=10)

    run_batch(path, tmp_path / "local.jsonl", options=BatchOptions(workers=1, progress=False))
    local = [json.loads(line) for line in (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()]

    result = analyze_dataframe(read_archive(spark, str(path), Columns())).toPandas()
    assert list(result.columns) == [c for c, _ in NOTE_COLUMNS] + ["result_json"]
    remote = [json.loads(text) for text in result["result_json"]]

    assert len(remote) == len(local) == len(records)
    by_key = {(r["row"], r["note_id"]): r for r in remote}
    for rec in local:
        assert by_key[(rec["row"], rec["note_id"])] == rec, f"row {rec['row']} differs"
    assert [r["error"] for r in remote][5] == "empty" and remote[9]["error"] == "duplicate_id"
    assert any(r["related_visits"] for r in remote), "expected cross-visit flags in this history"


# ---------------------------------------------------------------- resumable runs (--resume)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, make_records):
    """28 rows = chunks of 8, 8, 8, 4 rows; a duplicate id whose first use is in another chunk."""
    records = make_records(28, patients=3)
    records[9]["note_id"] = records[2]["note_id"]     # duplicate id (first used in chunk 0, repeated in chunk 1)
    records[12]["note_id"] = None                     # missing id
    records[20]["text"] = " "                         # empty
    path = tmp_path_factory.mktemp("spark_resume") / "notes.parquet"
    pd.DataFrame(records).to_parquet(path, row_group_size=10)
    return path


@pytest.fixture(scope="module")
def plain_output(spark, archive):
    """The output of a plain run (no checkpoint), as pandas."""
    from pipelines.spark_job import run_spark

    return run_spark(str(archive), str(archive.parent / "plain.parquet"), spark=spark).toPandas()


def test_resume_run_equals_plain_run_and_removes_its_checkpoint(spark, archive, plain_output, tmp_path) -> None:
    from pipelines.spark_job import checkpoint_path, read_output, run_spark

    out = str(tmp_path / "resumable.parquet")
    result = run_spark(str(archive), out, spark=spark, resume=True, chunk_rows=8).toPandas()
    pd.testing.assert_frame_equal(result, plain_output)
    pd.testing.assert_frame_equal(read_output(spark, out).toPandas(), plain_output)
    assert result["row"].tolist() == list(range(28))
    assert not (tmp_path / "resumable.parquet.checkpoint").exists() and checkpoint_path(out).endswith(".parquet.checkpoint")
    remote = [json.loads(text) for text in result["result_json"]]
    assert remote[9]["error"] == "duplicate_id" and any(r["related_visits"] for r in remote)


def test_resume_reuses_finished_chunks_and_recomputes_the_rest(spark, archive, plain_output, tmp_path, monkeypatch) -> None:
    from pipelines import spark_job

    out = str(tmp_path / "out.jsonl")
    ckpt = tmp_path / "out.jsonl.checkpoint"

    def killed(result, out):  # the run dies after stage 1, while writing the output
        raise RuntimeError("killed")

    monkeypatch.setattr(spark_job, "_write_output", killed)
    with pytest.raises(RuntimeError, match="killed"):
        spark_job.run_spark(str(archive), out, spark=spark, resume=True, chunk_rows=8)
    monkeypatch.undo()
    chunks = [ckpt / f"part-{k:06d}" for k in range(4)]
    assert all((chunk / "_SUCCESS").exists() for chunk in chunks)
    (chunks[1] / "_SUCCESS").unlink()                 # killed while committing chunk 1
    shutil.rmtree(chunks[3])                          # killed before chunk 3 started
    kept = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for k in (0, 2) for p in chunks[k].iterdir()}
    assert any(p.suffix == ".parquet" for p in kept)

    computed: list[int] = []
    write_chunk = spark_job._write_chunk
    monkeypatch.setattr(spark_job, "_write_chunk", lambda first, c, k, *a: (computed.append(k), write_chunk(first, c, k, *a)))
    monkeypatch.setattr(spark_job.Checkpoint, "delete", lambda self: None)  # keep the checkpoint to inspect it
    result = spark_job.run_spark(str(archive), out, spark=spark, resume=True, chunk_rows=8).toPandas()

    assert computed == [1, 3]
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for k in (0, 2) for p in chunks[k].iterdir()} == kept
    assert (chunks[1] / "_SUCCESS").exists() and (chunks[3] / "_SUCCESS").exists()
    assert result["row"].tolist() == list(range(28))  # every input row exactly once
    pd.testing.assert_frame_equal(result, plain_output)


def test_resume_refuses_another_runs_checkpoint(spark, archive, plain_output, tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from pipelines import spark_job
    from pipelines.batch import BatchError
    from pipelines.cli import app

    out = str(tmp_path / "out.parquet")
    ckpt = tmp_path / "out.parquet.checkpoint"

    def killed(*args):  # the run dies before any chunk is complete
        raise RuntimeError("killed")

    monkeypatch.setattr(spark_job, "_write_chunk", killed)
    with pytest.raises(RuntimeError, match="killed"):
        spark_job.run_spark(str(archive), out, spark=spark, resume=True, chunk_rows=8)
    monkeypatch.undo()
    assert (ckpt / "fingerprint.json").exists()

    with pytest.raises(BatchError, match=r'payer \(was "medicare", now "commercial"\).*delete .*--overwrite'):
        spark_job.run_spark(str(archive), out, spark=spark, payer="commercial", resume=True, chunk_rows=8)
    with pytest.raises(BatchError, match=r"changed since the interrupted run \(chunk_rows \(was 8, now 5\)\)"):
        spark_job.run_spark(str(archive), out, spark=spark, resume=True, chunk_rows=5)
    with pytest.raises(BatchError, match="an interrupted run left .*pass --resume to continue it"):
        spark_job.run_spark(str(archive), out, spark=spark)
    saved = json.loads((ckpt / "fingerprint.json").read_text(encoding="utf-8"))
    saved["chunks"][2][2] ^= 1                        # as if rows were numbered differently this time
    (ckpt / "fingerprint.json").write_text(json.dumps(saved), encoding="utf-8")
    (ckpt / ".fingerprint.json.crc").unlink(missing_ok=True)  # Hadoop's local checksum of the old content
    with pytest.raises(BatchError, match="numbered differently .*part-000002"):
        spark_job.run_spark(str(archive), out, spark=spark, resume=True, chunk_rows=8)

    res = CliRunner().invoke(app, ["spark", str(archive), "--out", out])
    assert res.exit_code == 2
    assert "an interrupted run left" in " ".join(res.output.split())
    res = CliRunner().invoke(app, ["spark", str(archive), "--out", out, "--overwrite"])
    assert res.exit_code == 0, res.output
    assert not ckpt.exists()
    pd.testing.assert_frame_equal(spark_job.read_output(spark, out).toPandas(), plain_output)
