"""A compact ICD-10-CM code index derived from the installed `simple_icd_10_cm` package.

The package keeps the whole classification with descriptions in memory (~180 MB per process);
coding only needs "is this a valid code" and "is it a billable leaf". The first process that needs
the index derives it from the package and caches it as a small text file (one `code<TAB>leaf` line
per item, ~1.3 MB) keyed by the package version; every later process (each batch worker, each Spark
executor) reads that file in ~50 ms and ~15 MB instead of importing the package.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

PACKAGE = "simple-icd-10-cm"


@dataclass(frozen=True)
class CodeIndex:
    leaf: dict[str, bool]  # every valid item (chapters, blocks, categories, codes) -> is a billable leaf
    ordered: tuple[str, ...]  # codes (with dots) sorted, for prefix scans

    def is_valid(self, code: str) -> bool:
        return code in self.leaf

    def is_billable(self, code: str) -> bool:
        return self.leaf.get(code, False)

    def billable_children(self, code: str, limit: int = 9) -> list[str]:
        """Billable codes below a category/header (ICD-10-CM children share the parent's prefix)."""
        if code not in self.leaf:
            return []
        prefix = code if "." in code else code + "."
        out: list[str] = []
        for item in self.ordered[bisect_left(self.ordered, prefix) :]:
            if not item.startswith(prefix) or len(out) >= limit:
                break
            if self.leaf[item]:
                out.append(item)
        return out


def cache_dir() -> Path:
    base = os.environ.get("FACETCODER_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "facetcoder"


def _derive() -> dict[str, bool]:
    with warnings.catch_warnings():  # the package loads its data through deprecated importlib APIs
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm
    return {code: cm.is_leaf(code) for code in cm.get_all_codes(True)}


def _write(path: Path, leaf: dict[str, bool]) -> None:
    """Atomic write; a read-only cache directory just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.writelines(f"{code}\t{int(is_leaf)}\n" for code, is_leaf in leaf.items())
        os.replace(tmp, path)
    except OSError:
        pass


def _read(path: Path) -> dict[str, bool] | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    leaf: dict[str, bool] = {}
    for line in lines:
        code, _, flag = line.partition("\t")
        if flag not in ("0", "1"):
            return None  # torn or foreign file: derive again
        leaf[code] = flag == "1"
    return leaf or None


@lru_cache(maxsize=1)
def code_index() -> CodeIndex:
    path = cache_dir() / f"icd10cm-{version(PACKAGE)}.tsv"
    leaf = _read(path)
    if leaf is None:
        leaf = _derive()
        _write(path, leaf)
    return CodeIndex(leaf=leaf, ordered=tuple(sorted(c for c in leaf if "-" not in c)))
