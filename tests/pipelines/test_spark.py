"""Spark parity: `pipelines.spark_job` on local[2] gives the same records as the local batch."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

pytestmark = [pytest.mark.spark, pytest.mark.slow]

if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (java not found on PATH); install Java 17", allow_module_level=True)
pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install facetcoder[spark])")


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
