"""Readable terminal rendering of a NoteResult (rich): facts with evidence, claim lines, flags."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from nlp.schema import Evidence, NoteResult

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _spans(evidence: list[Evidence], limit: int = 3) -> str:
    if not evidence:
        return "[dim]not documented[/dim]"
    shown = [f"[{e.start}:{e.end}] \u201c{' '.join(e.text.split())[:60]}\u201d" for e in evidence[:limit]]
    more = f" (+{len(evidence) - limit})" if len(evidence) > limit else ""
    return "; ".join(shown) + more


def claim_line_text(result: NoteResult) -> str:
    """Claim lines as a billing system takes them: CPT-MOD1-MOD2 x units | ICD-10 pointers."""
    rows = []
    for line in result.claim_lines:
        code = "-".join([line.cpt, *line.modifiers])
        rows.append(f"{code} x{line.units}" + (f" | {', '.join(line.icd10)}" if line.icd10 else ""))
    return "\n".join(rows)


def facts_table(r: NoteResult) -> Table:
    t = Table(title="Facts", show_lines=False, expand=True)
    t.add_column("fact", style="bold", no_wrap=True)
    t.add_column("value")
    t.add_column("evidence [start:end]", overflow="fold")
    t.add_row("procedure", r.procedure.family, _spans(r.procedure.evidence))
    t.add_row("imaging", r.imaging.modality, _spans(r.imaging.evidence))
    if r.levels:
        for lv in r.levels:
            t.add_row("level", f"{lv.joint} ({lv.region}, {lv.side})", _spans(lv.evidence + lv.side_evidence))
    else:
        t.add_row("levels", "none", _spans([]))
    t.add_row("intent", f"{r.intent.value} \u2014 {r.intent.reason}", _spans(r.intent.evidence))
    for p in r.pain_scores:
        t.add_row("pain score", f"{p.value:g} {p.scale} ({p.timing})", _spans(p.evidence))
    if not r.pain_scores:
        t.add_row("pain scores", "none", _spans([]))
    for rel in r.percent_relief:
        t.add_row("relief", f"{rel.percent:g}%" + (f" for {rel.duration}" if rel.duration else ""), _spans(rel.evidence))
    cc = r.conservative_care
    items = ", ".join(f"{i.name}{'' if i.failed is None else (' (failed)' if i.failed else ' (not failed)')}" for i in cc.items)
    t.add_row("conservative care", f"failed={cc.failed}; {items or 'none'}", _spans(cc.evidence or [e for i in cc.items for e in i.evidence]))
    pd = r.pain_duration
    t.add_row("pain duration", f"{pd.months:g} months" if pd.months is not None else (pd.text or "none"), _spans(pd.evidence))
    t.add_row("radiculopathy", r.radiculopathy.status, _spans(r.radiculopathy.evidence))
    for d in r.diagnoses:
        t.add_row("diagnosis", d.icd10 or d.text, _spans(d.evidence, 1))
    for a in r.agents:
        t.add_row("agent", f"{a.name} ({a.kind})", _spans(a.evidence, 2))
    t.add_row("sedation", ", ".join(r.sedation.kinds) or ("none" if not r.sedation.given else "yes"), _spans(r.sedation.evidence))
    return t


def claims_table(r: NoteResult) -> Table:
    t = Table(title=f"Claim lines (payer: {r.payer})", expand=True)
    for col in ("CPT", "modifiers", "units", "ICD-10", "levels", "rules"):
        t.add_column(col)
    for line in r.claim_lines:
        t.add_row(line.cpt, " ".join(line.modifiers), str(line.units), ", ".join(line.icd10), ", ".join(line.levels), ", ".join(line.rule_ids))
    if not r.claim_lines:
        t.add_row("[dim]no 6449x line[/dim]", "", "", "", "", "")
    return t


def flags_table(r: NoteResult) -> Table:
    t = Table(title="Flags", expand=True, show_lines=True)
    for col in ("severity", "id", "message / fix", "rules"):
        t.add_column(col)
    order = {"error": 0, "warning": 1, "info": 2}
    for f in sorted(r.flags, key=lambda f: order[f.severity]):
        t.add_row(Text(f.severity, style=_SEVERITY_STYLE[f.severity]), f.id, f"{f.message}\n[green]Fix:[/green] {f.fix}", ", ".join(f.rule_ids))
    return t


def review_panel(r: NoteResult) -> Panel:
    """Auto-coded, or why a person should read the note before sending the lines."""
    if r.review.status == "auto":
        return Panel("[green]auto[/green]: nothing in the note contradicts this reading", title="review", expand=False)
    rows = [f"[bold yellow]{x.id}[/bold yellow] {x.message}\n    {_spans(x.evidence)}" for x in r.review.reasons]
    return Panel("\n".join(rows), title="[bold yellow]needs review[/bold yellow]", expand=False)


def checklist_table(r: NoteResult) -> Table:
    t = Table(title="Documentation checklist", expand=True)
    for col in ("", "element", "evidence"):
        t.add_column(col)
    for c in r.checklist:
        t.add_row("[green]\u2713[/green]" if c.present else "[red]\u2717[/red]", c.label, _spans(c.evidence, 1))
    return t


def render(result: NoteResult, console: Console) -> None:
    parts = [review_panel(result), facts_table(result), claims_table(result)]
    if result.claim_lines:
        parts.append(Panel(claim_line_text(result), title="copy", expand=False))
    if result.flags:
        parts.append(flags_table(result))
    if result.checklist:
        parts.append(checklist_table(result))
    console.print(Panel(Group(*parts), title=f"[bold]{result.note_id}[/bold]"))
