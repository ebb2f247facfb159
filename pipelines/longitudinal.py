"""Cross-visit checks: what no single note shows (sessions per 12 months, block sequences, duplicates).

Works on small per-note `Visit` records (patient, day, family, intent, levels, relief), never on
whole results. `patient_flags()` is the pure core for one patient's visits (used by the local batch
and by the Spark job); `LongitudinalIndex` is the streamed driver for a batch run: visits go into a
sqlite file beside the output, are read back grouped by patient, and the resulting flags are read
back ordered by input row so the final writer can merge them into the streamed results.

Rules (limits per payer in nlp/resources/longitudinal/rules.yaml; threshold from the payer profile):
SESSION_LIMIT, SECOND_DX_WITHOUT_POSITIVE_FIRST, DX_INTERVAL_SHORT, THERAPEUTIC_REPEAT_NO_RELIEF,
BLOCK_AFTER_RFA, DUPLICATE_SAME_DAY. A session is one calendar day (R-MCR-FREQ-2).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nlp.errors import ResourceError
from nlp.resources import read_yaml

RULES_FILE = "longitudinal/rules.yaml"
BLOCK_FAMILIES = ("facet_joint_injection", "medial_branch_block")
RFA = "radiofrequency_ablation"
FAMILY_LABEL = {"facet_joint_injection": "facet joint injection", "medial_branch_block": "medial branch block", RFA: "radiofrequency ablation"}


class PayerLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str
    window_months: int = Field(ge=1)
    sessions: dict[str, int] = Field(default_factory=dict)
    session_rule_ids: dict[str, list[str]] = Field(default_factory=dict)
    positive_block_percent: float = Field(gt=0, le=100)
    dx_min_interval_days: int = Field(ge=0)
    therapeutic_relief_percent: float = Field(gt=0, le=100)
    therapeutic_relief_months: float = Field(ge=0)
    rfa_lookback_months: int = Field(ge=1)
    rule_ids: dict[str, list[str]] = Field(default_factory=dict)


class FlagText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    severity: str
    message: str
    fix: str


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    payers: dict[str, PayerLimits]
    flags: dict[str, FlagText]


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The packaged cross-visit rule table, validated."""
    try:
        return Rules.model_validate(read_yaml(RULES_FILE))
    except ValueError as exc:
        raise ResourceError(f"{RULES_FILE}: {exc}") from None


@lru_cache(maxsize=32)
def limits_for(payer: str) -> PayerLimits | None:
    """Limits for a payer id (or profile path); the profile's positive_block_percent wins."""
    payer_id = payer
    profile: dict[str, Any] = {}
    try:
        if payer.endswith((".yaml", ".yml")):
            profile = read_yaml(payer) or {}
            payer_id = str(profile.get("id", payer))
        else:
            profile = read_yaml(f"payers/{payer}.yaml") or {}
    except ResourceError:
        profile = {}
    limits = load_rules().payers.get(payer_id)
    if limits is None:
        return None
    threshold = profile.get("positive_block_percent") if isinstance(profile, dict) else None
    return limits.model_copy(update={"positive_block_percent": float(threshold)}) if threshold else limits


# ---------------------------------------------------------------- visits


@dataclass(frozen=True)
class Visit:
    """The facts of one analysed note that cross-visit rules need."""

    row: int
    note_id: str
    patient_id: str
    day: date
    payer: str
    family: str
    intent: str
    joints: tuple[tuple[str, str, str], ...] = ()  # (joint, region, side)
    relief: tuple[tuple[float, float | None], ...] = ()  # (percent, months it lasted or None)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({region for _, region, _ in self.joints}))

    @property
    def category(self) -> str | None:
        """diagnostic / therapeutic (blocks by intent) or rfa; None when it cannot be counted."""
        if self.family == RFA:
            return "rfa"
        if self.family in BLOCK_FAMILIES and self.intent in ("diagnostic", "therapeutic"):
            return self.intent
        return None

    def label(self) -> str:
        return f"{self.note_id} ({self.day.isoformat()})"

    def ref(self) -> dict[str, Any]:
        return {"note_id": self.note_id, "date_of_service": self.day.isoformat(), "row": self.row}

    def to_json(self) -> str:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Visit:
        data = json.loads(text)
        data["day"] = date.fromisoformat(data["day"])
        data["joints"] = tuple(tuple(j) for j in data["joints"])
        data["relief"] = tuple(tuple(r) for r in data["relief"])
        return cls(**data)


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|to)?\s*(?:\d+(?:\.\d+)?\s*)?(year|yr|month|mo|week|wk|day|hour|hr|minute|min)", re.I)
_MONTHS_PER = {"year": 12, "yr": 12, "month": 1, "mo": 1, "week": 12 / 52, "wk": 12 / 52, "day": 12 / 365,
               "hour": 1 / 730, "hr": 1 / 730, "minute": 1 / 43800, "min": 1 / 43800}


def parse_day(value: object) -> date | None:
    """A date of service from common export formats (ISO, US, compact, datetime); None if unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        return None
    text = str(value).strip()
    for candidate in (text[:10], text):
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
    return None


def duration_months(text: str | None) -> float | None:
    """'6 hours' -> 0.008, '3 months' -> 3.0, '12 weeks' -> 2.77; None when not stated."""
    if not text:
        return None
    match = _DURATION.search(text)
    if not match:
        return None
    return float(match.group(1)) * _MONTHS_PER[match.group(2).lower()]


def visit_of(obj: dict[str, Any], default_payer: str = "medicare") -> Visit | None:
    """A Visit from one output record (NoteResult fields + row/patient_id/date_of_service), or None
    when it cannot take part (error row, no patient, unreadable date, not a facet-family procedure)."""
    if obj.get("error") or not obj.get("patient_id"):
        return None
    day = parse_day(obj.get("date_of_service"))
    family = (obj.get("procedure") or {}).get("family")
    if day is None or family not in (*BLOCK_FAMILIES, RFA):
        return None
    joints = tuple((lv["joint"], lv["region"], lv.get("side", "unspecified")) for lv in obj.get("levels") or [])
    relief = tuple((float(r["percent"]), duration_months(r.get("duration"))) for r in obj.get("percent_relief") or [])
    return Visit(
        row=int(obj["row"]), note_id=str(obj.get("note_id", "")), patient_id=str(obj["patient_id"]), day=day,
        payer=str(obj.get("payer") or default_payer), family=family,
        intent=(obj.get("intent") or {}).get("value", "unknown"), joints=joints, relief=relief,
    )


# ---------------------------------------------------------------- rules


@dataclass
class LongFlag:
    """A cross-visit flag for one row: the Flag fields plus the other visits it concerns."""

    row: int
    id: str
    severity: str
    message: str
    fix: str
    rule_ids: list[str]
    visits: list[dict[str, Any]] = field(default_factory=list)

    def flag_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "message": self.message, "fix": self.fix,
                "rule_ids": list(self.rule_ids), "evidence": []}


def _minus_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _names(visits: Iterable[Visit]) -> str:
    return ", ".join(v.label() for v in visits) or "none"


def _sides_meet(a: str, b: str) -> bool:
    return a == b or "bilateral" in (a, b) or "unspecified" in (a, b)


def _shared_joints(a: Visit, b: Visit) -> list[str]:
    return sorted({ja for ja, _, sa in a.joints for jb, _, sb in b.joints if ja == jb and _sides_meet(sa, sb)})


def _best(relief: Iterable[tuple[float, float | None]]) -> str:
    items = sorted(relief, key=lambda r: (r[0], r[1] or 0), reverse=True)
    if not items:
        return "no relief documented"
    pct, months = items[0]
    return f"{pct:g}%" + (f" for {months:.1f} months" if months is not None and months >= 1 else
                          " (duration not stated)" if months is None else " for under a month")


class _Builder:
    """Collects flags for one patient, formatting messages from the rule table."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.out: list[LongFlag] = []

    def add(self, flag_id: str, visit: Visit, rule_ids: list[str], others: Iterable[Visit], **fmt: Any) -> None:
        text = self.rules.flags[flag_id]
        others = list(others)
        fmt.setdefault("visits", _names(others))
        self.out.append(LongFlag(
            row=visit.row, id=flag_id, severity=text.severity, message=text.message.format(**fmt),
            fix=text.fix.format(**fmt), rule_ids=rule_ids, visits=[o.ref() for o in others],
        ))


def patient_flags(visits: Iterable[Visit], rules: Rules | None = None) -> list[LongFlag]:
    """All cross-visit flags for one patient's visits (any order), sorted by row."""
    rules = rules or load_rules()
    ordered = sorted(visits, key=lambda v: (v.day, v.row))
    out = _Builder(rules)
    _duplicates(ordered, out)
    for visit in ordered:
        limits = limits_for(visit.payer)
        if limits is None:
            continue
        _session_limit(visit, ordered, limits, out)
        if visit.category == "diagnostic":
            _diagnostic_sequence(visit, ordered, limits, out)
        elif visit.category == "therapeutic":
            _therapeutic_repeat(visit, ordered, limits, out)
        if visit.family in BLOCK_FAMILIES and visit.intent != "therapeutic":
            _block_after_rfa(visit, ordered, limits, out)
    return sorted(out.out, key=lambda f: f.row)


def _duplicates(ordered: list[Visit], out: _Builder) -> None:
    """DUPLICATE_SAME_DAY: two notes of one family on one day sharing a region (or both without levels)."""
    for (_, family), group in groupby(sorted(ordered, key=lambda v: (v.day, v.family, v.row)), key=lambda v: (v.day, v.family)):
        same = list(group)
        for visit in same:
            others = [o for o in same if o is not visit and (set(o.regions) & set(visit.regions) or not (o.regions or visit.regions))]
            if others:
                limits = limits_for(visit.payer)
                ids = limits.rule_ids.get("DUPLICATE_SAME_DAY", ["R-MCR-FREQ-2"]) if limits else ["R-MCR-FREQ-2"]
                out.add("DUPLICATE_SAME_DAY", visit, ids, others, family=FAMILY_LABEL[family], day=visit.day.isoformat())


def _earlier_days(visit: Visit, ordered: list[Visit], category: str, region: str, since: date) -> dict[date, list[Visit]]:
    """Earlier sessions (by day, excluding the visit's own day) of a category in a region since `since` (exclusive)."""
    days: dict[date, list[Visit]] = defaultdict(list)
    for other in ordered:
        if since < other.day < visit.day and other.category == category and region in other.regions:
            days[other.day].append(other)
    return days


def _session_limit(visit: Visit, ordered: list[Visit], limits: PayerLimits, out: _Builder) -> None:
    category = visit.category
    if category is None or category not in limits.sessions:
        return
    cap = limits.sessions[category]
    since = _minus_months(visit.day, limits.window_months)
    for region in visit.regions:
        days = _earlier_days(visit, ordered, category, region, since)
        count = len(days) + 1
        if count > cap:
            others = [v[0] for _, v in sorted(days.items())]
            out.add("SESSION_LIMIT", visit, limits.session_rule_ids.get(category, []), others,
                    ordinal=_ordinal(count).capitalize(), category=category, region=region,
                    window=limits.window_months, payer=visit.payer, limit=cap)


def _diagnostic_sequence(visit: Visit, ordered: list[Visit], limits: PayerLimits, out: _Builder) -> None:
    """Second (or later) diagnostic block: previous one positive (R-MCR-DX-2) and >= 2 weeks before (R-MCR-DX-3)."""
    since = _minus_months(visit.day, limits.window_months)
    for region in visit.regions:
        days = _earlier_days(visit, ordered, "diagnostic", region, since)
        if not days:
            continue
        last_day = max(days)
        previous = days[last_day]
        relief = [r for v in (*previous, visit) for r in v.relief]
        threshold = limits.positive_block_percent
        if not any(pct >= threshold for pct, _ in relief):
            out.add("SECOND_DX_WITHOUT_POSITIVE_FIRST", visit, limits.rule_ids.get("SECOND_DX_WITHOUT_POSITIVE_FIRST", []),
                    previous, region=region, threshold=f"{threshold:g}", best=_best(relief))
        gap = (visit.day - last_day).days
        if gap < limits.dx_min_interval_days:
            out.add("DX_INTERVAL_SHORT", visit, limits.rule_ids.get("DX_INTERVAL_SHORT", []), previous,
                    region=region, days=gap, min_days=limits.dx_min_interval_days)


def _therapeutic_repeat(visit: Visit, ordered: list[Visit], limits: PayerLimits, out: _Builder) -> None:
    """Repeat therapeutic injection at the same site needs >= 50% relief for >= 3 months (R-MCR-TX-1)."""
    earlier = [o for o in ordered if o.day < visit.day and o.category == "therapeutic" and _shared_joints(o, visit)]
    if not earlier:
        return
    last_day = max(o.day for o in earlier)
    previous = [o for o in earlier if o.day == last_day]
    relief = [r for v in (*previous, visit) for r in v.relief]
    pct_min, months_min = limits.therapeutic_relief_percent, limits.therapeutic_relief_months
    if any(pct >= pct_min and months is not None and months >= months_min - 1e-9 for pct, months in relief):
        return
    site = ", ".join(sorted({j for o in previous for j in _shared_joints(o, visit)}))
    out.add("THERAPEUTIC_REPEAT_NO_RELIEF", visit, limits.rule_ids.get("THERAPEUTIC_REPEAT_NO_RELIEF", []), previous,
            site=site, percent=f"{pct_min:g}", months=f"{months_min:g}", best=_best(relief))


def _block_after_rfa(visit: Visit, ordered: list[Visit], limits: PayerLimits, out: _Builder) -> None:
    """A block at a joint ablated within the look-back window (R-MCR-DX-5)."""
    since = _minus_months(visit.day, limits.rfa_lookback_months)
    ablations = [o for o in ordered if o.family == RFA and since < o.day < visit.day and _shared_joints(o, visit)]
    if ablations:
        joints = ", ".join(sorted({j for o in ablations for j in _shared_joints(o, visit)}))
        out.add("BLOCK_AFTER_RFA", visit, limits.rule_ids.get("BLOCK_AFTER_RFA", []), ablations,
                joints=joints, months=limits.rfa_lookback_months)


# ---------------------------------------------------------------- streamed driver


def evidence_for(obj: dict[str, Any], flag_id: str) -> list[dict[str, Any]]:
    """Spans of the flagged note that a reviewer checks first: the procedure, the intent and any relief."""
    spans: list[dict[str, Any]] = []
    for key in ("procedure", "intent"):
        spans.extend((obj.get(key) or {}).get("evidence", [])[:1])
    if flag_id in ("SECOND_DX_WITHOUT_POSITIVE_FIRST", "THERAPEUTIC_REPEAT_NO_RELIEF"):
        for relief in obj.get("percent_relief") or []:
            spans.extend(relief.get("evidence", [])[:1])
    return spans


def merge_flags(obj: dict[str, Any], flags: list[LongFlag]) -> dict[str, Any]:
    """Add cross-visit flags (with this note's evidence) and the visits they name to one output record."""
    for flag in flags:
        data = flag.flag_dict()
        data["evidence"] = evidence_for(obj, flag.id)
        obj.setdefault("flags", []).append(data)
        obj.setdefault("related_visits", []).append({"flag_id": flag.id, "visits": flag.visits})
    return obj


class LongitudinalIndex:
    """Visits in a sqlite file; flags computed per patient and read back in row order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE visits (patient TEXT, day TEXT, row INTEGER, data TEXT)")
        self.db.execute("CREATE TABLE flags (row INTEGER, data TEXT)")
        self.count = 0

    def add(self, visit: Visit) -> None:
        self.db.execute("INSERT INTO visits VALUES (?, ?, ?, ?)",
                        (visit.patient_id, visit.day.isoformat(), visit.row, visit.to_json()))
        self.count += 1

    def compute(self) -> int:
        """Run the rules per patient; returns the number of flags."""
        self.db.execute("CREATE INDEX visits_patient ON visits (patient, day, row)")
        cursor = self.db.execute("SELECT patient, data FROM visits ORDER BY patient, day, row")
        total = 0
        for _, rows in groupby(cursor, key=lambda r: r[0]):
            flags = patient_flags(Visit.from_json(data) for _, data in rows)
            self.db.executemany("INSERT INTO flags VALUES (?, ?)", [(f.row, json.dumps(asdict(f))) for f in flags])
            total += len(flags)
        self.db.execute("CREATE INDEX flags_row ON flags (row)")
        self.db.commit()
        return total

    def flags_by_row(self) -> Iterator[tuple[int, list[LongFlag]]]:
        """(row, flags) in ascending row order, for a merge-join with the streamed results."""
        cursor = self.db.execute("SELECT row, data FROM flags ORDER BY row, rowid")
        for row, items in groupby(cursor, key=lambda r: r[0]):
            yield row, [LongFlag(**json.loads(data)) for _, data in items]

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)
