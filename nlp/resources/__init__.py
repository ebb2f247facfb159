"""The one resolver for data files shipped inside the package (rule tables, lexicons).

Everything under `nlp/resources/` is reached through `resource_path()`; no module climbs
`Path(__file__).parents[...]`. Readers validate nothing themselves: callers pass the rows to
their pydantic models, which reject unknown keys.
"""

from __future__ import annotations

import csv
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from nlp.errors import ResourceError

_PACKAGE = "nlp.resources"


def resource_path(name: str) -> Path:
    """Path of a packaged resource, e.g. ``"lexicons/targets.jsonl"``."""
    path = Path(str(resources.files(_PACKAGE).joinpath(name)))
    if not path.is_file():
        raise ResourceError(f"packaged resource {name!r} not found (expected a file under nlp/resources/)")
    return path


def _resolve(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.is_absolute() or path.exists():
        if not path.is_file():
            raise ResourceError(f"expected a file, received {str(path)!r}")
        return path
    return resource_path(str(name_or_path))


def read_text(name_or_path: str | Path) -> str:
    return _resolve(name_or_path).read_text(encoding="utf-8")


def read_jsonl(name_or_path: str | Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file; blank lines and lines starting with '//' are skipped."""
    path = _resolve(name_or_path)
    rows: list[dict[str, Any]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ResourceError(f"{path.name}:{lineno}: expected one JSON object per line, got invalid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise ResourceError(f"{path.name}:{lineno}: expected a JSON object, got {type(row).__name__}")
        rows.append(row)
    return rows


def read_json(name_or_path: str | Path) -> Any:
    path = _resolve(name_or_path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ResourceError(f"{path.name}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc


def read_yaml(name_or_path: str | Path) -> Any:
    path = _resolve(name_or_path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ResourceError(f"{path.name}: invalid YAML ({exc})") from exc


def read_csv(name_or_path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts; lines starting with '#' are comments."""
    path = _resolve(name_or_path)
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if not ln.lstrip().startswith("#")]
    return [dict(row) for row in csv.DictReader(lines)]


def checksum(name_or_path: str | Path) -> str:
    """Short sha256 of a resource, recorded in outputs so a table change is visible."""
    return hashlib.sha256(_resolve(name_or_path).read_bytes()).hexdigest()[:12]
