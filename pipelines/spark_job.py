"""The batch analysis on a Spark DataFrame (see docs/spark.md for cluster submission).

Stage 1 (`mapInPandas`): each Arrow batch becomes `SourceRow`s that go through the very function
the local batch uses (`pipelines.batch.analyze_chunk`); the Analyzer is built once per executor
Python worker and cached at module level (`pipelines.batch.get_analyzer`), never shipped.
Duplicate ids are found with a window (first row per id), exactly as the local reader does.
Stage 2 (only with patient id + date): the small per-visit records are grouped by patient
(`applyInPandas`) through `pipelines.longitudinal.patient_flags`, and the flags are merged back.
Output columns: the tidy note table (`pipelines.writers.NOTE_COLUMNS`) plus `result_json`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipelines.readers import Columns, SourceRow, make_row
from pipelines.writers import NOTE_COLUMNS, note_row

_SPARK_TYPES = {"int64": "bigint", "float64": "double", "string": "string"}
OUTPUT_DDL = ", ".join(f"{name} {_SPARK_TYPES[t]}" for name, t in NOTE_COLUMNS) + ", result_json string"
_STAGE1_DDL = OUTPUT_DDL + ", visit_json string"
_FLAGS_DDL = "row bigint, flags_json string"
_INPUT_COLS = ("note_id", "text", "patient_id", "date_of_service", "payer")


def local_session(master: str | None = "local[2]", app_name: str = "facetcoder") -> Any:
    """A SparkSession; Python workers use this interpreter (the venv with facetcoder installed)."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
        cores = re.fullmatch(r"local\[(\d+)\]", master)
        if cores:  # small local runs: one shuffle partition per core, no UI
            builder = builder.config("spark.sql.shuffle.partitions", cores.group(1)).config("spark.ui.enabled", "false")
    return (builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "256")
            .config("spark.python.worker.reuse", "true")
            .getOrCreate())


def read_archive(spark: Any, path: str, columns: Columns, max_bytes: int = 200_000) -> Any:
    """A DataFrame with `row` (input order) and the columns named `_INPUT_COLS` (absent ones null)."""
    from pyspark.sql import functions as F

    suffix = Path(path.rstrip("/")).suffix.lower()
    if suffix in (".parquet", ".pq"):
        df = spark.read.parquet(path)
    elif suffix in (".csv", ".tsv", ".tab"):
        df = (spark.read.option("header", True).option("multiLine", True).option("escape", '"')
              .option("sep", "," if suffix == ".csv" else "\t").csv(path))
    elif suffix in (".jsonl", ".ndjson", ".json"):
        df = spark.read.json(path)
    else:  # a folder of .txt notes: id = path relative to the folder, without .txt
        df = _read_folder(spark, path, columns, max_bytes)
    missing = [c for c in (columns.id, columns.text) if c not in df.columns]
    if missing:
        from pipelines.readers import ArchiveError

        raise ArchiveError(f"{path}: missing column(s) {missing}; expected {columns.id!r} and {columns.text!r}; found columns {df.columns}")
    names = {"note_id": columns.id, "text": columns.text, "patient_id": columns.patient, "date_of_service": columns.date, "payer": columns.payer}
    select = [(F.col(f"`{names[c]}`") if names[c] and names[c] in df.columns else F.lit(None).cast("string")).alias(c)
              for c in _INPUT_COLS]
    select.append((F.col("_fc_length") if "_fc_length" in df.columns else F.lit(None).cast("long")).alias("length"))
    if "_corrupt_record" in df.columns:
        select.append(F.col("_corrupt_record").isNotNull().alias("malformed"))
    else:
        select.append(F.lit(False).alias("malformed"))
    from pyspark.sql.types import LongType, StructField, StructType

    picked = df.select(*select)
    schema = StructType([*picked.schema.fields, StructField("row", LongType(), False)])
    return spark.createDataFrame(picked.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1])), schema)


def _read_folder(spark: Any, path: str, columns: Columns, max_bytes: int) -> Any:
    """Every .txt file under `path` (any Hadoop filesystem), listed by the driver so that empty files
    (which `binaryFile` skips) and oversized ones (never loaded) still get their row."""
    from pyspark.sql import functions as F

    jvm = spark.sparkContext._jvm
    root = jvm.org.apache.hadoop.fs.Path(path)
    fs = root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    base = fs.makeQualified(root).toUri().getPath().rstrip("/") + "/"
    files, listing = [], fs.listFiles(root, True)
    while listing.hasNext():
        status = listing.next()
        uri = status.getPath().toUri().getPath()
        if uri.lower().endswith(".txt"):
            files.append((status.getPath().toString(), uri[len(base):-4] if uri.startswith(base) else uri[:-4], status.getLen()))
    listed = spark.createDataFrame(files, "path string, note_id string, length long")
    content = (spark.read.format("binaryFile").option("pathGlobFilter", "*.txt").option("recursiveFileLookup", "true")
               .load(path).where(F.col("length") <= max_bytes).select("path", "content"))
    joined = listed.join(content, on="path", how="left")
    return joined.select(F.col("note_id").alias(columns.id), F.coalesce("content", F.lit(bytearray())).alias(columns.text),
                         F.col("length").alias("_fc_length")).orderBy(columns.id)


def _with_first_row(df: Any) -> Any:
    """Add `first_row`: the first row that used this (stripped) note id, for the duplicate check."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    key = F.regexp_replace(F.col("note_id").cast("string"), r"^\s+|\s+$", "")
    df = df.withColumn("_id", F.when(key != "", key))
    return df.withColumn("first_row", F.min("row").over(Window.partitionBy("_id"))).drop("_id")


def _source_rows(pdf: Any, max_bytes: int) -> list[SourceRow]:
    """Rows of one Arrow batch as SourceRows, with the same reader-level errors as the local readers."""
    cols = Columns(id="note_id", text="text", patient="patient_id", date="date_of_service", payer="payer")
    out = []
    for rec in pdf.to_dict("records"):
        record = {k: (None if _isnull(rec[k]) else rec[k]) for k in _INPUT_COLS}
        if isinstance(record["text"], bytearray):
            record["text"] = bytes(record["text"])
        row = make_row(cols, int(rec["row"]), record)
        if rec.get("malformed"):
            row.error, row.detail = "malformed_row", "the record could not be parsed"
        elif not _isnull(rec.get("length")) and int(rec["length"]) > max_bytes:  # folder input: a file too large to load
            row.error, row.detail, row.text = "too_large", f"note is {int(rec['length']):,} bytes; the limit is {max_bytes:,} bytes", None
        if row.note_id is not None and not _isnull(rec["first_row"]) and int(rec["first_row"]) != row.row and row.error is None:
            row.error, row.detail, row.text = "duplicate_id", f"note id already used by row {int(rec['first_row'])}", None
        out.append(row)
    return out


def _isnull(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _analyze_batches(payer: str, max_bytes: int, chunk: int = 128):  # noqa: ANN202 - Spark UDF factory
    """The mapInPandas function: analyse each Arrow batch with this worker's cached Analyzer."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from pipelines.batch import analyze_chunk
        from pipelines.longitudinal import visit_of

        for pdf in batches:
            rows = _source_rows(pdf, max_bytes)
            records = []
            for start in range(0, len(rows), chunk):
                for line in analyze_chunk(rows[start:start + chunk], payer, max_bytes):
                    obj = json.loads(line)
                    visit = visit_of(obj, payer)
                    records.append({**note_row(obj), "result_json": line, "visit_json": visit.to_json() if visit else None})
            yield pd.DataFrame.from_records(records, columns=[c for c, _ in NOTE_COLUMNS] + ["result_json", "visit_json"])

    return run


def _patient_flags(pdf: Any) -> Any:
    """applyInPandas per patient: cross-visit flags as JSON per row."""
    import pandas as pd

    from pipelines.longitudinal import Visit, patient_flags

    flags = patient_flags(Visit.from_json(v) for v in pdf["visit_json"])
    by_row: dict[int, list[dict[str, Any]]] = {}
    for flag in flags:
        by_row.setdefault(flag.row, []).append(asdict(flag))
    return pd.DataFrame({"row": list(by_row), "flags_json": [json.dumps(v) for v in by_row.values()]},
                        columns=["row", "flags_json"])


def _merge_batches(batches: Iterator[Any]) -> Iterator[Any]:
    """mapInPandas: merge cross-visit flags into result_json and refresh the tidy columns."""
    import pandas as pd

    from pipelines.longitudinal import LongFlag, merge_flags

    for pdf in batches:
        records = []
        for rec in pdf.to_dict("records"):
            if isinstance(rec.get("flags_json"), str):
                obj = merge_flags(json.loads(rec["result_json"]), [LongFlag(**f) for f in json.loads(rec["flags_json"])])
                line = json.dumps(obj, ensure_ascii=False)
                records.append({**note_row(obj), "result_json": line})
            else:
                records.append({c: rec[c] for c, _ in NOTE_COLUMNS} | {"result_json": rec["result_json"]})
        yield pd.DataFrame.from_records(records, columns=[c for c, _ in NOTE_COLUMNS] + ["result_json"])


def analyze_dataframe(df: Any, payer: str = "medicare", max_bytes: int = 200_000, longitudinal: bool = True) -> Any:
    """Analyse a DataFrame from `read_archive` (columns `_INPUT_COLS`, `malformed`, `row`).

    Returns the tidy note columns plus `result_json` (the same record the local batch writes), by row.
    """
    stage1 = _with_first_row(df).mapInPandas(_analyze_batches(payer, max_bytes), schema=_STAGE1_DDL).cache()
    if longitudinal:
        flags = (stage1.where("visit_json IS NOT NULL").select("patient_id", "visit_json")
                 .groupBy("patient_id").applyInPandas(_patient_flags, schema=_FLAGS_DDL))
        joined = stage1.drop("visit_json").join(flags, on="row", how="left")
        result = joined.mapInPandas(_merge_batches, schema=OUTPUT_DDL)
    else:
        result = stage1.drop("visit_json")
    return result.orderBy("row")


def run_spark(input_path: str, out: str, columns: Columns | None = None, payer: str = "medicare",
              max_bytes: int = 200_000, master: str | None = "local[2]", spark: Any = None) -> Any:
    """Read, analyse and write (Spark part files in the folder `out`; format from its extension)."""
    columns = columns or Columns()
    spark = spark or local_session(master)
    df = read_archive(spark, input_path, columns, max_bytes)
    has_visits = df.where("patient_id IS NOT NULL AND date_of_service IS NOT NULL").limit(1).count() > 0
    result = analyze_dataframe(df, payer=payer, max_bytes=max_bytes, longitudinal=has_visits)
    suffix = Path(out.rstrip("/")).suffix.lower()
    writer = result.write.mode("overwrite")
    if suffix == ".csv":
        writer.option("header", True).option("escape", '"').csv(out)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        writer.json(out)
    else:
        writer.parquet(out)
    return result


def spark_cli(input_path: str, out: str, *, master: str | None = "local[2]", id_col: str = "note_id", text_col: str = "text",
              patient_col: str | None = None, date_col: str | None = None, payer_col: str | None = None,
              payer: str = "medicare", max_bytes: int = 200_000) -> int:
    """The `facetcoder spark` command; returns the exit code."""
    from rich.console import Console

    from nlp.errors import FacetcoderError

    err = Console(stderr=True)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        err.print("error: pyspark is not installed; install facetcoder[spark] (and Java 17)")
        return 2
    columns = Columns(id=id_col, text=text_col, patient=patient_col or "patient_id", date=date_col or "date_of_service", payer=payer_col)
    try:
        run_spark(input_path, out, columns, payer=payer, max_bytes=max_bytes, master=master)
    except FacetcoderError as exc:
        err.print(f"error: {exc}")
        return 2
    err.print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for spark-submit: `spark_job.py INPUT OUT [--payer P] [--id-col C] [--text-col C] [--master M]`."""
    import argparse

    ap = argparse.ArgumentParser(description="facetcoder batch analysis on Spark")
    ap.add_argument("input")
    ap.add_argument("out")
    ap.add_argument("--payer", default="medicare")
    ap.add_argument("--id-col", default="note_id")
    ap.add_argument("--text-col", default="text")
    ap.add_argument("--patient-col")
    ap.add_argument("--date-col")
    ap.add_argument("--payer-col")
    ap.add_argument("--max-bytes", type=int, default=200_000)
    ap.add_argument("--master", default=None, help="default: the master given to spark-submit")
    args = ap.parse_args(argv)
    return spark_cli(args.input, args.out, master=args.master, id_col=args.id_col, text_col=args.text_col,
                     patient_col=args.patient_col, date_col=args.date_col, payer_col=args.payer_col,
                     payer=args.payer, max_bytes=args.max_bytes)


if __name__ == "__main__":
    sys.exit(main())
