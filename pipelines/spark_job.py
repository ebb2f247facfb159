"""The batch analysis on a Spark DataFrame (see docs/spark.md for cluster submission).

Stage 1 (`mapInPandas`): each Arrow batch becomes `SourceRow`s that go through the very function
the local batch uses (`pipelines.batch.analyze_chunk`); the Analyzer is built once per executor
Python worker and cached at module level (`pipelines.batch.get_analyzer`), never shipped.
Duplicate ids are found with a window (first row per id), exactly as the local reader does.
Stage 2 (only with patient id + date): the small per-visit records are grouped by patient
(`applyInPandas`) through `pipelines.longitudinal.patient_flags`, and the flags are merged back.
Output columns: the tidy note table (`pipelines.writers.NOTE_COLUMNS`) plus `result_json`.

Resumable runs (`run_spark(..., resume=True)`): stage 1 is written chunk by chunk (rows
[k*chunk_rows, (k+1)*chunk_rows)) as Parquet under `OUT.checkpoint/part-NNNNNN`, each chunk complete
once its `_SUCCESS` marker exists. A rerun reads the complete chunks back, recomputes the others, then
runs stage 2 and the final write over all chunks (the output equals a plain run's) and deletes the
checkpoint. `OUT.checkpoint/fingerprint.json` holds what must not change in between: the input
(path, size, newest mtime), columns, payer, max_bytes, chunk_rows, the facetcoder version, and per
chunk a row count and digest of its input rows (row numbers come from the input partitioning).
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

from nlp.text_input import MAX_NOTE_BYTES
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


def read_archive(spark: Any, path: str, columns: Columns, max_bytes: int = MAX_NOTE_BYTES) -> Any:
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


def _stage1(first: Any, payer: str, max_bytes: int) -> Any:
    """Stage 1 over a DataFrame from `_with_first_row`: the analysed rows plus `visit_json`."""
    return first.mapInPandas(_analyze_batches(payer, max_bytes), schema=_STAGE1_DDL)


def _stage2(stage1: Any, longitudinal: bool) -> Any:
    """Cross-visit flags merged into stage-1 rows (when `longitudinal`); the output columns, by row."""
    if longitudinal:
        flags = (stage1.where("visit_json IS NOT NULL").select("patient_id", "visit_json")
                 .groupBy("patient_id").applyInPandas(_patient_flags, schema=_FLAGS_DDL))
        joined = stage1.drop("visit_json").join(flags, on="row", how="left")
        result = joined.mapInPandas(_merge_batches, schema=OUTPUT_DDL)
    else:
        result = stage1.drop("visit_json")
    return result.orderBy("row")


def analyze_dataframe(df: Any, payer: str = "medicare", max_bytes: int = MAX_NOTE_BYTES, longitudinal: bool = True) -> Any:
    """Analyse a DataFrame from `read_archive` (columns `_INPUT_COLS`, `malformed`, `row`).

    Returns the tidy note columns plus `result_json` (the same record the local batch writes), by row.
    """
    return _stage2(_stage1(_with_first_row(df), payer, max_bytes).cache(), longitudinal)


# ---------------------------------------------------------------- resumable runs (stage-1 checkpoint)


def checkpoint_path(out: str) -> str:
    """Where a resumable run keeps its stage-1 chunks: next to the output, `OUT.checkpoint`."""
    return out.rstrip("/") + ".checkpoint"


class Checkpoint:
    """The stage-1 checkpoint folder, on any Hadoop filesystem (local, HDFS, S3...)."""

    FINGERPRINT = "fingerprint.json"

    def __init__(self, spark: Any, path: str) -> None:
        self.spark = spark
        self.path = path
        self._jvm = spark.sparkContext._jvm
        self._root = self._jvm.org.apache.hadoop.fs.Path(path)
        self.fs = self._root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())

    def _hpath(self, name: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(self._root, name)

    def exists(self) -> bool:
        return bool(self.fs.exists(self._root))

    def delete(self) -> None:
        if self.fs.exists(self._root):
            self.fs.delete(self._root, True)

    def chunk_dir(self, k: int) -> str:
        return f"{self.path.rstrip('/')}/part-{k:06d}"  # no '=': Spark would read it as a partition column

    def chunk_done(self, k: int) -> bool:
        return bool(self.fs.exists(self._hpath(f"part-{k:06d}/_SUCCESS")))

    def mark_done(self, k: int) -> None:
        """Spark's committer writes `_SUCCESS` on commit; write it here if a committer was configured not to."""
        marker = self._hpath(f"part-{k:06d}/_SUCCESS")
        if not self.fs.exists(marker):
            self.fs.create(marker, True).close()

    def load(self) -> dict[str, Any] | None:
        """The saved fingerprint (None when absent or unreadable)."""
        path = self._hpath(self.FINGERPRINT)
        if not self.fs.exists(path):
            return None
        try:
            reader = self._jvm.java.io.BufferedReader(self._jvm.java.io.InputStreamReader(self.fs.open(path), "UTF-8"))
            try:
                lines = []
                while (line := reader.readLine()) is not None:
                    lines.append(line)
            finally:
                reader.close()
            saved = json.loads("\n".join(lines))
        except Exception:  # noqa: BLE001 - torn or corrupt (e.g. a checksum error): reported as unreadable
            return None
        return saved if isinstance(saved, dict) else None

    def save(self, state: dict[str, Any]) -> None:
        """Write the fingerprint (to a temp file, then renamed into place)."""
        tmp, final = self._hpath(self.FINGERPRINT + ".tmp"), self._hpath(self.FINGERPRINT)
        stream = self.fs.create(tmp, True)
        try:
            stream.write(bytearray(json.dumps(state, sort_keys=True).encode("utf-8")))
        finally:
            stream.close()
        if self.fs.exists(final):
            self.fs.delete(final, False)
        if not self.fs.rename(tmp, final):
            raise OSError(f"cannot rename {tmp.toString()} to {final.toString()}")


def _input_stats(spark: Any, path: str) -> dict[str, Any]:
    """Qualified input path, total size, newest mtime and file count (any Hadoop filesystem). For a
    folder of notes only its .txt files count; for a dataset folder, files Spark reads (not _/. names)."""
    jvm = spark.sparkContext._jvm
    root = jvm.org.apache.hadoop.fs.Path(path)
    fs = root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    notes_folder = Path(path.rstrip("/")).suffix.lower() not in (".parquet", ".pq", ".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json")
    size = mtime = files = 0
    listing = fs.listFiles(root, True)
    while listing.hasNext():
        status = listing.next()
        name = status.getPath().getName()
        if (not name.lower().endswith(".txt")) if notes_folder else name.startswith(("_", ".")):
            continue
        size, mtime, files = size + status.getLen(), max(mtime, status.getModificationTime()), files + 1
    return {"input": fs.makeQualified(root).toString(), "size": size, "mtime_ms": mtime, "files": files}


def run_fingerprint(spark: Any, input_path: str, columns: Columns, payer: str, max_bytes: int, chunk_rows: int) -> dict[str, Any]:
    """What must not change between a resumable run and its resume."""
    from nlp import __version__

    return {**_input_stats(spark, input_path),
            "columns": [columns.id, columns.text, columns.patient, columns.date, columns.payer],
            "payer": payer, "max_bytes": max_bytes, "chunk_rows": chunk_rows, "version": __version__}


def _chunk_digests(first: Any, chunk_rows: int) -> tuple[list[list[int]], bool]:
    """[[chunk, rows, digest], ...] over the input rows (with their row number and first row per id),
    and whether any row has a patient id and a date. One pass; it also fills `first`'s cache."""
    from pyspark.sql import functions as F

    cols = [*_INPUT_COLS, "length", "malformed", "row", "first_row"]
    nulls = F.concat_ws("", *[F.col(c).isNull().cast("int").cast("string") for c in cols])
    stats = (first.groupBy((F.col("row") / F.lit(chunk_rows)).cast("long").alias("chunk"))
             .agg(F.count(F.lit(1)).alias("rows"), F.bit_xor(F.xxhash64(*cols, nulls)).alias("digest"),
                  F.max(F.col("patient_id").isNotNull() & F.col("date_of_service").isNotNull()).alias("visits"))
             .orderBy("chunk").collect())
    return [[int(r["chunk"]), int(r["rows"]), int(r["digest"])] for r in stats], any(r["visits"] for r in stats)


def _fingerprint_diff(saved: dict[str, Any], current: dict[str, Any]) -> str:
    def show(value: Any) -> str:
        text = json.dumps(value)
        return text if len(text) <= 60 else text[:57] + "..."

    return ", ".join(f"{k} (was {show(saved.get(k))}, now {show(current[k])})" for k in current if saved.get(k) != current[k])


def _write_chunk(first: Any, ckpt: Checkpoint, k: int, chunk_rows: int, payer: str, max_bytes: int) -> None:
    """Analyse rows [k*chunk_rows, (k+1)*chunk_rows) and commit them as checkpoint chunk k (overwriting
    a chunk a killed run left without `_SUCCESS`). Spread over every executor core: one job per chunk."""
    from pyspark.sql import functions as F

    rows = first.where((F.col("row") >= k * chunk_rows) & (F.col("row") < (k + 1) * chunk_rows))
    rows = rows.repartition(max(1, first.sparkSession.sparkContext.defaultParallelism))
    (_stage1(rows, payer, max_bytes).write.mode("overwrite")
     .option("mapreduce.fileoutputcommitter.marksuccessfuljobs", "true").parquet(ckpt.chunk_dir(k)))
    ckpt.mark_done(k)


def checkpointed_stage1(df: Any, ckpt: Checkpoint, fingerprint: dict[str, Any], payer: str, max_bytes: int,
                        chunk_rows: int) -> tuple[Any, bool]:
    """Stage 1 through the checkpoint: complete chunks are read back, the others analysed and committed.
    Returns (stage-1 DataFrame over all chunks, whether the input has visits). Raises BatchError when the
    checkpoint belongs to another run."""
    from pipelines.batch import BatchError

    resuming = ckpt.exists()
    saved = ckpt.load() if resuming else None
    if resuming:
        if saved is None:
            raise BatchError(f"cannot resume: {ckpt.path}/{Checkpoint.FINGERPRINT} is missing or unreadable; "
                             f"delete {ckpt.path} or rerun with --overwrite to start over")
        if saved.get("run") != fingerprint:
            raise BatchError(f"cannot resume: the input or options changed since the interrupted run "
                             f"({_fingerprint_diff(saved.get('run') or {}, fingerprint)}); rerun with the same input and "
                             f"options, or delete {ckpt.path} (or pass --overwrite) to start over")
    first = _with_first_row(df).cache()  # the duplicate-id window, computed once for every chunk
    try:
        chunks, has_visits = _chunk_digests(first, chunk_rows)
        if saved is None:
            ckpt.save({"run": fingerprint, "chunks": chunks})
        elif saved.get("chunks") != chunks:
            before = saved.get("chunks") or []
            bad = next((k for k in range(max(len(chunks), len(before))) if chunks[k:k + 1] != before[k:k + 1]), 0)
            raise BatchError(f"cannot resume: the input rows are numbered differently than in the interrupted run "
                             f"(chunk part-{bad:06d} would hold other rows); Spark numbers rows by input partition, which "
                             f"depends on spark.sql.files.maxPartitionBytes and the default parallelism: resume with the "
                             f"same Spark settings, or delete {ckpt.path} (or pass --overwrite) to start over")
        for k, _, _ in chunks:
            if not ckpt.chunk_done(k):
                _write_chunk(first, ckpt, k, chunk_rows, payer, max_bytes)
    finally:
        first.unpersist()
    spark = df.sparkSession
    if not chunks:
        return spark.createDataFrame([], _STAGE1_DDL), has_visits
    return spark.read.schema(_STAGE1_DDL).parquet(*[ckpt.chunk_dir(k) for k, _, _ in chunks]), has_visits


def _write_output(result: Any, out: str) -> None:
    suffix = Path(out.rstrip("/")).suffix.lower()
    writer = result.write.mode("overwrite")
    if suffix == ".csv":
        writer.option("header", True).option("escape", '"').csv(out)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        writer.json(out)
    else:
        writer.parquet(out)


def read_output(spark: Any, out: str) -> Any:
    """A written output folder as a DataFrame with the output schema, by row."""
    suffix = Path(out.rstrip("/")).suffix.lower()
    reader = spark.read.schema(OUTPUT_DDL)
    if suffix == ".csv":
        df = reader.option("header", True).option("escape", '"').option("multiLine", True).csv(out)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        df = reader.json(out)
    else:
        df = reader.parquet(out)
    return df.orderBy("row")


def run_spark(input_path: str, out: str, columns: Columns | None = None, payer: str = "medicare",
              max_bytes: int = MAX_NOTE_BYTES, master: str | None = "local[2]", spark: Any = None,
              resume: bool = False, chunk_rows: int = 100_000, overwrite: bool = False) -> Any:
    """Read, analyse and write (Spark part files in the folder `out`; format from its extension).

    `resume`: checkpoint stage 1 in chunks of `chunk_rows` rows under `checkpoint_path(out)` and reuse the
    chunks an interrupted run completed; the checkpoint is deleted once `out` is written. Without it, a
    leftover checkpoint is refused (BatchError) unless `overwrite`, which deletes it first.
    Returns the result DataFrame (after a resumable run, read back from `out`: its checkpoint is gone).
    """
    from pipelines.batch import BatchError

    if chunk_rows < 1:
        raise BatchError(f"chunk_rows must be at least 1, received {chunk_rows}")
    columns = columns or Columns()
    spark = spark or local_session(master)
    ckpt = Checkpoint(spark, checkpoint_path(out))
    if ckpt.exists() and overwrite:
        ckpt.delete()
    elif ckpt.exists() and not resume:
        raise BatchError(f"an interrupted run left {ckpt.path}; pass --resume to continue it, or --overwrite "
                         f"(or delete it) to start over")
    df = read_archive(spark, input_path, columns, max_bytes)
    if resume:
        fingerprint = run_fingerprint(spark, input_path, columns, payer, max_bytes, chunk_rows)
        stage1, has_visits = checkpointed_stage1(df, ckpt, fingerprint, payer, max_bytes, chunk_rows)
        _write_output(_stage2(stage1, has_visits), out)
        ckpt.delete()
        return read_output(spark, out)
    has_visits = df.where("patient_id IS NOT NULL AND date_of_service IS NOT NULL").limit(1).count() > 0
    result = analyze_dataframe(df, payer=payer, max_bytes=max_bytes, longitudinal=has_visits)
    _write_output(result, out)
    return result


def spark_cli(input_path: str, out: str, *, master: str | None = "local[2]", id_col: str = "note_id", text_col: str = "text",
              patient_col: str | None = None, date_col: str | None = None, payer_col: str | None = None,
              payer: str = "medicare", max_bytes: int = MAX_NOTE_BYTES, resume: bool = False, overwrite: bool = False,
              chunk_rows: int = 100_000) -> int:
    """The `facetcoder spark` command; returns the exit code."""
    from rich.console import Console

    from nlp.errors import FacetcoderError

    err = Console(stderr=True)
    if chunk_rows < 1:
        err.print(f"error: --chunk-rows must be at least 1, received {chunk_rows}")
        return 2
    try:
        import pyspark  # noqa: F401
    except ImportError:
        err.print("error: pyspark is not installed; install facetcoder[spark] (and Java 17)")
        return 2
    columns = Columns(id=id_col, text=text_col, patient=patient_col or "patient_id", date=date_col or "date_of_service", payer=payer_col)
    try:
        run_spark(input_path, out, columns, payer=payer, max_bytes=max_bytes, master=master, resume=resume,
                  chunk_rows=chunk_rows, overwrite=overwrite)
    except FacetcoderError as exc:
        err.print(f"error: {exc}")
        return 2
    err.print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for spark-submit: `spark_job.py INPUT OUT [--payer P] [--id-col C] [--text-col C] [--master M]
    [--resume [--chunk-rows N]] [--overwrite]`."""
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
    ap.add_argument("--max-bytes", type=int, default=MAX_NOTE_BYTES)
    ap.add_argument("--master", default=None, help="default: the master given to spark-submit")
    ap.add_argument("--resume", action="store_true",
                    help="checkpoint stage 1 in OUT.checkpoint and continue an interrupted run of the same command")
    ap.add_argument("--overwrite", action="store_true", help="delete an interrupted run's checkpoint and start over")
    ap.add_argument("--chunk-rows", type=int, default=100_000, help="rows per checkpoint chunk (with --resume)")
    args = ap.parse_args(argv)
    return spark_cli(args.input, args.out, master=args.master, id_col=args.id_col, text_col=args.text_col,
                     patient_col=args.patient_col, date_col=args.date_col, payer_col=args.payer_col,
                     payer=args.payer, max_bytes=args.max_bytes, resume=args.resume, overwrite=args.overwrite,
                     chunk_rows=args.chunk_rows)


if __name__ == "__main__":
    sys.exit(main())
