"""Documentation gaps shared by flags and the checklist: each returns None when complete, else a short reason."""

from __future__ import annotations

from nlp.coding.models import PayerProfile
from nlp.schema import NoteResult, PainScore

_DEFAULT_MAX = {"NRS": 10.0, "verbal": 10.0}


def scale_of(score: PainScore) -> tuple[str, float | None]:
    """Scale identity for the same-scale test: name plus range (VAS 0-10 and 0-100 differ)."""
    return score.scale, score.max_value if score.max_value is not None else _DEFAULT_MAX.get(score.scale)


def timed_scores(result: NoteResult) -> tuple[list[PainScore], list[PainScore]]:
    """(pre, post) scores; with no explicit baseline, an untimed score stands for it ("Pain: 7/10" in the HPI)."""
    pre = [s for s in result.pain_scores if s.timing == "pre"]
    post = [s for s in result.pain_scores if s.timing == "post"]
    if not pre:
        pre = [s for s in result.pain_scores if s.timing == "unspecified"]
    return pre, post


def pain_score_gap(result: NoteResult) -> str | None:
    """Pre and post scores are both needed; a diagnostic block needs them on the same scale (R-DOC-1)."""
    pre, post = timed_scores(result)
    missing = [name for name, found in (("pre-procedure", pre), ("post-procedure", post)) if not found]
    if missing:
        return f"no {' and no '.join(missing)} pain score documented"
    if result.intent.value == "diagnostic" and not ({scale_of(s) for s in pre} & {scale_of(s) for s in post}):
        return "the pre- and post-procedure scores of this diagnostic block are not on the same scale"
    return None


def pain_duration_gap(result: NoteResult, profile: PayerProfile) -> str | None:
    duration = result.pain_duration
    months = duration.months
    if months is None:
        # "since 2019", "for several years": documented, length not converted -> not a gap
        return None if (duration.text or duration.evidence) else "not documented"
    if months < profile.min_pain_months:
        return f"documented as {months:g} months"
    return None


def conservative_care_gap(result: NoteResult, profile: PayerProfile) -> str | None:
    care = result.conservative_care
    failed = care.failed or any(item.failed for item in care.items)
    if not failed:
        return "not documented" if not care.items else "documented without a stated failure"
    weeks = profile.conservative_care_weeks
    if weeks:
        if care.duration_weeks is None:
            return f"documented without its duration; {profile.name} requires at least {weeks:g} weeks"
        if care.duration_weeks < weeks:
            return f"documented for {care.duration_weeks:g} weeks; {profile.name} requires at least {weeks:g} weeks"
    return None
