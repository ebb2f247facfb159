"""Scenario, voice and layout cards for blind note writers (see README.md beside this file).

The cards say *what happened*; the writers, who never see facetcoder's rules, lexicons, tests or code,
decide how it is written. The gold is derived from the cards (plus each writer's stated deviations) by a
third session that sees only the domain reference, never the engine.

    python data/blind/make_cards.py --batch A --seed 101 --writers 6 --per-writer 25 --out /tmp/blind/A

Writes ``cards.jsonl`` (one scenario card per note, machine-readable) and ``writer_<k>.md`` (the brief for
writer k: its voices, layouts and the cards in plain words).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

LUMBAR = ["L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]
CERVICAL = ["C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7", "C7-T1"]
THORACIC = ["T1-T2", "T2-T3", "T3-T4", "T4-T5", "T5-T6", "T6-T7", "T7-T8", "T8-T9", "T9-T10", "T10-T11",
            "T11-T12", "T12-L1"]

# Voices and layouts are split between batches so that no batch repeats the last one's style.
VOICES = {
    "A": [
        "pain physician dictating into speech recognition: run-on paragraphs, few headers, occasional "
        "recognition errors (homophones, dropped words)",
        "PM&R attending using an EHR procedure template with checkboxes, dropdown values and some *** "
        "placeholders left unfilled",
        "physician assistant writing a brief, terse procedure note between cases",
        "rural-clinic nurse practitioner using heavy personal shorthand and abbreviations",
        "interventional radiologist writing a CT- or fluoroscopy-guided procedure report in radiology style "
        "(TECHNIQUE / FINDINGS / IMPRESSION)",
        "ambulatory surgery center combined record: nursing pre-op checklist, time-out, physician op note "
        "and PACU nursing lines in one document",
    ],
    "B": [
        "second-year resident note with an attending attestation appended",
        "copy-forward note: a prior visit's text carried over and partly edited, with stale lines left in",
        "ALL-CAPS telegraphic note from an old dictation system",
        "transcriptionist-formatted operative report with numbered sections and a formal style",
        "pain fellow writing a detailed academic-style note with long indications and references to prior "
        "procedures",
        "office manager / coder preparing a prior-authorization or appeal letter, or a billing query",
        "anesthesiologist's pain-clinic note that also covers other procedures done the same day",
    ],
    "C": [
        "hospital-employed pain physician writing in an inpatient EHR procedure template with smart-phrases",
        "VA / military pain clinic note with structured fields and acronyms",
        "locum tenens physician writing very terse notes with idiosyncratic abbreviations",
        "medical scribe writing for a physician, with speaker labels and a physician attestation",
        "bilingual clinic note in English with occasional Spanish phrases from the patient interview",
        "pain practice that writes SOAP notes for every visit, procedure or not",
    ],
    "D": [
        "British or Australian consultant in pain medicine: UK spelling and terms (anaesthetic, zygapophyseal "
        "joint, paracetamol, 'theatre', 'image intensifier')",
        "orthopaedic spine surgeon's office that does a few injections, brief op-note style between clinic "
        "patients",
        "teaching attending dictating in the first person for a medical student, explaining each step",
        "sports-medicine physician who does most injections under ultrasound and writes the sonographic "
        "findings",
        "night-shift transcription of a rushed dictation: 'period', 'new paragraph' sometimes left in, "
        "bracketed [inaudible] gaps",
        "multispecialty group note written by a nurse practitioner and co-signed, with a billing section the "
        "NP fills in by hand",
    ],
    "E": [
        "physiatrist whose note quotes the patient a lot, casual tone, referral from a chiropractor",
        "phone dictation transcribed by an outside service: number words ('four five facet', 'L four five'), "
        "homophones, British/Indian English mix",
        "inpatient pain consult service that did a bedside or fluoroscopy-suite block during the admission",
        "charge-capture sheet by a billing specialist: procedure descriptions in words, a short clinical "
        "narrative, a place for codes left partly blank",
        "pain-clinic nursing procedure log with the physician's one-line op note pasted under it",
        "EHR smart-text note with bracketed field names or option lists left in ('{SIDE}', '[L3-4/L4-5]', "
        "'Yes/No')",
    ],
    "F": [
        "pain physician writing the procedure report as a letter to the referring GP ('Dear Dr ...', "
        "'I saw your patient ...', 'Yours sincerely')",
        "anaesthesia-style intra-procedure record: timestamps, drug administration log, vitals, then a brief "
        "physician narrative",
        "workers' compensation / medico-legal pain report: long history, claim number, work status, the "
        "procedure described inside the report",
        "speech-recognition template whose macro was expanded twice or left stale: repeated paragraphs, a "
        "default sentence that contradicts the rest, edited in places",
        "neurosurgery or spine resident covering the pain clinic, writing in lowercase with heavy "
        "abbreviations and few full sentences",
        "outpatient radiology department report: technologist's intake lines, then the radiologist's "
        "dictation with image counts and fluoroscopy time/dose",
    ],
    "G": [
        "pain physician dictating in a hurry with self-corrections and asides left in ('L4-5, no, scratch "
        "that, L3-4 and L4-5', 'the right side, actually both sides')",
        "AI ambient-scribe draft from a recorded visit: polished paragraphs and bullets, a few awkward "
        "paraphrases of what the patient said, then the physician's sign-off",
        "nurse-anaesthetist (CRNA) run rural pain clinic: nursing-style observations, the CRNA performs the "
        "procedure, a supervising physician co-signs",
        "order-entry / charge document from a practice system: order numbers, procedure descriptors in "
        "capitals as the system prints them, then the physician's free text",
        "typed from a handwritten paper procedure form: '[illegible]', 'X' for ticked boxes, circled options "
        "written as '(circled)'",
        "procedure note that ends with the nurse's next-day phone call (relief diary, side effects), all in "
        "one document",
    ],
    "H": [
        "pain fellow's note at a teaching hospital with a long attending attestation that restates the procedure "
        "and changes or adds a detail",
        "medical director of a multidisciplinary spine clinic: functional scores (ODI, NDI, PROMIS) and long "
        "narrative around a short procedure paragraph",
        "hospital outpatient pain department note with auto-populated vitals, medication and problem lists "
        "interleaved with the procedure text",
        "locum physician's phone dictation formatted by an offshore transcription service: formal British/Indian "
        "English ('the patient was made to lie prone', 'kindly review'), odd capitalisation",
        "veteran spine surgeon's old-fashioned terms: 'zygapophyseal arthrography', 'paravertebral facet block', "
        "'facet rhizolysis' (for ablation), 'image intensifier'",
        "practice whose every note starts with a long copied-forward interval history and review of systems before "
        "today's procedure",
    ],
    "I": [
        "interventional radiologist in a teleradiology group reporting their own CT-guided procedure: dose report, "
        "numbered structured impression",
        "high-volume pain NP whose dot-phrases expand into long paragraphs, some wrong defaults only partly fixed",
        "anaesthesia pain service in the UK or Canada: 'theatre', 'consultant', 'GP', 'Depo-Medrone', "
        "'levobupivacaine', 'image intensifier'",
        "sports-medicine fellow writing casually in the first person, with the patient's own words quoted",
        "surgery-center nurse's intra-operative record with the physician's brief op note and a supply log "
        "(needle sizes, drug lot numbers, counts)",
        "military clinic note, very terse, with date-time groups ('041530ZDEC25') and acronyms",
    ],
    "J": [
        "locum anaesthetist in Australia writing in theatre shorthand ('LA', 'II', 'obs stable'), some NZ/AU drug names",
        "chiropractic-referral spine clinic PA who copies the referral letter into the note before the procedure",
        "hospital day-surgery unit whose note mixes the booking form, the anaesthetic chart and the proceduralist's text",
        "pain physician who dictates into a phone app that inserts 'comma' and 'full stop' literally in places",
        "resident's note reviewed by two attendings, each adding a dated comment at the end",
        "medicolegal IME-style summary written by the treating physician the same day, citing the op note inline",
    ],
    "K": [
        "community-hospital pain clinic whose voice-recognition template leaves smart-field prompts in the text "
        "('[***]', '{LEVELS}', '@SIDE@') next to the values that were filled in",
        "orthopaedic spine surgeon who does an occasional office injection and writes it briefly inside a "
        "surgical follow-up note",
        "practice biller's pre-bill audit that quotes the physician's note and lists the codes the biller "
        "thinks apply (some of them may be wrong)",
        "bilingual border-town clinic: some phrases in Spanish ('bloqueo de rama medial', 'derecho', "
        "'izquierdo', 'sin complicaciones') mixed into English",
        "travelling locum who writes telegraphically with arrows and symbols ('->', 'x2', '+', 'neg', '@')",
        "physiatrist who says 'Z-joint', 'zygapophysial', 'facet' and 'MB' interchangeably and writes a long exam",
    ],
    "L": [
        "occupational-medicine spine clinic writing for the employer's case manager: plain language, work "
        "restrictions and return-to-work dates around the procedure",
        "rheumatology-trained interventionalist who mixes inflammatory-arthritis language (enthesitis, "
        "sacroiliitis ruled out) with the facet findings",
        "nurse navigator's care-coordination note summarising what the physician did that morning and what comes next",
        "academic pain attending dictating for medical students, explaining the anatomy inside the note",
        "walk-in spine clinic: a very short note with an EHR auto-generated billing footer",
        "nurse practitioner who injects independently, with the collaborating physician's short note appended",
    ],
    "M": [
        "interventional pain physician's personal phone notes turned into a record by a medical assistant, with "
        "the assistant's bracketed clarifications",
        "hospitalist-style inpatient procedure note for a patient admitted with back pain, with the hospital "
        "course around it",
        "chiropractor-turned-DC/MD dual practice writing both manipulation and the injection in one note",
        "quality-assurance reviewer's chart abstraction form filled from the procedure note",
        "second-opinion physician's note that reviews an outside block and documents the one done today",
        "terse surgical-style op note: PREOP DX / POSTOP DX / PROCEDURE / ANESTHESIA / EBL / FINDINGS / SPECIMENS",
    ],
    "N": [
        "pain practice in a rural hospital whose notes are typed by the physician on a phone, short lines, "
        "autocorrect errors ('facer joint', 'medical branch')",
        "anaesthesiologist moonlighting in a pain clinic who writes in anaesthesia-record style (ASA class, "
        "airway, monitors) before a short procedure text",
        "spine centre that pastes the radiology report of the procedure images into the op note",
        "physician who writes every note as numbered steps of what the nurse and the physician did",
        "veterans' clinic note with a mandatory template of yes/no screening questions around the procedure",
        "concierge practice writing a warm narrative note addressed to the patient's file",
    ],
}
LAYOUTS = {
    "A": [
        "one single run-on paragraph, no headers, no line breaks",
        "Key: value lines, one fact per line, some values empty",
        "EHR template with [x] / [ ] checkboxes and *** placeholders",
        "PDF copy-paste: hard line wraps around 60-70 columns mid-sentence, doubled spaces, a stray page "
        "header/footer line in the middle",
        "short note of 3-10 lines",
        "headers in CAPS followed by paragraphs, sections in an unusual order",
    ],
    "B": [
        "numbered lists for the procedure steps, headers with colons",
        "pipe or tab tables for vitals, levels, medications or pain scores",
        "long note of 50-80 lines with many sections, much of it boilerplate",
        "no headers at all, several short paragraphs",
        "original note followed by an addendum (dated, signed) that corrects or adds something",
        "fax-like text: odd spacing, non-breaking spaces, stray characters, inconsistent capitalisation",
        "bullet points with dashes or asterisks, terse fragments",
    ],
    "C": [
        "SOAP format (S/O/A/P) with the procedure inside A/P",
        "problem-oriented note with numbered problems, the procedure under one of them",
        "voice-to-text with almost no punctuation and no line breaks except paragraph breaks",
        "text exported from an EHR with leftover markup (HTML entities such as &amp; or <br>, field codes)",
        "message/e-mail style note to a colleague or the billing office",
        "mixed: a short header block, then free text, then a medication table",
    ],
    "D": [
        "procedure grid: one table row per level and side (level | side | target | needle | volume), prose "
        "around it",
        "long first-person past-tense narrative ('I then advanced the needle...'), few headers",
        "template with many sections left empty or with '___' / 'N/A' / 'see above'",
        "today's note followed in the same paste by an older, dated note for the same patient",
        "note with nursing flowsheet blocks (times, vitals, pain scores at several time points)",
        "short clinical summary, then discharge instructions that mention the next planned procedure",
    ],
    "E": [
        "numbered problem list with the procedure under one problem and plan items after",
        "database export: one line per field, fields separated by semicolons, no line breaks inside fields",
        "addendum placed at the top (written later), original note below",
        "header block, then one long narrative with typos and missing spaces after punctuation",
        "space-aligned table (no pipes): columns for level, side, medication and volume",
        "note that also discusses the result of a previous block at other levels and the plan for the next one",
    ],
    "F": [
        "labels on one line, their values on the next line (flattened form fields)",
        "time-stamped log lines ('08:42 ...') covering the whole encounter",
        "outline with roman numerals and lettered sub-items",
        "a one-sentence summary at the top, the full report, then an impression restating the levels in "
        "different words",
        "everything lowercase, commas instead of most periods, no headers",
        "a note in which one section (e.g. the procedure template) appears twice, the second copy partly edited",
    ],
    "G": [
        "Markdown-style formatting: '#' headings, **bold labels**, '-' bullets",
        "two-column PDF form flattened by copy-paste: several label/value pairs on one line separated by runs "
        "of spaces, some values wrapped onto the next line",
        "question-and-answer form: prompts ending in '?' with the answer after them or on the next line",
        "the key facts sit mostly inside the consent / time-out paragraph and a closing summary; the body is "
        "boilerplate (risks, instructions, standard technique text)",
        "corrections left visible: '(corrected)', '~~old~~ new', or an 'amended' line changing a level or "
        "side, with the earlier wording kept in the text",
        "footnote style: bracketed numbers [1] [2] in the text and numbered notes at the bottom that carry some "
        "of the facts",
    ],
    "H": [
        "interface / HL7-like export: segment prefixes ('OBX|3|TX|...|') with the note text split across segments",
        "SOAP with the procedure inside O (objective) and the plan naming future levels and sides",
        "the same day's note pasted twice: an original and, below it, a 'CORRECTED REPORT' that changes something",
        "one key-value block per injected site ('Site 1: Level ... Side ... Target ... Volume ...'), repeated",
        "very short: 2 to 4 lines, everything abbreviated",
        "e-mail thread: a coordinator forwards the physician's note with '>' quoted lines and replies above it",
    ],
    "I": [
        "numbered outline with decimal sub-items (1., 1.1, 1.2, 2., 2.1)",
        "the whole note as a two-column 'Field | Value' table, free text inside the value cells",
        "entries in reverse chronological order: discharge first, then the procedure, then the pre-procedure checks",
        "narrow export wrapped at about 40 columns, with words hyphenated across line breaks",
        "sections between lines of '=' with Title Case headers, one section repeated under another name",
        "run-on text with semicolons instead of full stops and no capital letters at sentence starts",
    ],
    "J": [
        "CSV-like export: one line per field as 'field,value' with quoted values containing commas",
        "everything in one table row per level with free-text remarks columns",
        "headers in square brackets ('[PROCEDURE]', '[PLAN]') with terse lines under each",
        "long note where the procedure appears only in the middle of a narrative day summary",
        "note with a numbered medication administration record and times, then a short op note",
        "two short notes for the same patient and day: a pre-procedure nursing note and the physician note",
    ],
    "K": [
        "structured export in JSON- or XML-like form, with the free text inside string fields",
        "a numbered 'Procedures performed' list that also contains non-facet items done the same session",
        "fax OCR output: some broken words, 'l' for '1' and 'O' for '0' in places, page headers repeated mid-note",
        "problem-oriented note: numbered problems each with assessment and plan, the procedure under one problem",
        "one dense paragraph of more than 300 words with no line breaks",
        "template whose sections mostly hold 'N/A' or defaults, with the real values typed in a final "
        "'Comments' line",
    ],
    "L": [
        "entries by three people interleaved, each preceded by a timestamp and the author's initials",
        "a Markdown-like medication table, the rest free text with asterisk footnotes",
        "text copied from a two-column PDF, the two columns interleaved line by line in places",
        "only two bulleted lists: 'Findings' and 'Actions'",
        "a plain-language letter to the patient about what was done, followed by the clinical note",
        "template listing every option, the chosen one marked with '>>' or '*'",
    ],
    "M": [
        "everything in a single long table with columns for time, event, detail and initials",
        "an outline whose items are all one-word labels with the values on the following indented lines",
        "a note in which the procedure paragraph is repeated verbatim in the discharge summary part",
        "inline shorthand tags such as '#proc', '#plan', '#hx' instead of headers",
        "a prose paragraph followed by a checklist of 'Documented? Y/N' items for coding",
        "a note in the second person addressed to the referring doctor ('you asked me to...')",
    ],
    "N": [
        "header-less note whose first line is the procedure and last line the plan",
        "the levels and sides given only in a small ASCII diagram or grid with X marks",
        "a note with several dated entries for the same procedure (scheduled, rescheduled, performed)",
        "key facts in parentheses after each sentence ('(L4-5, R)', '(fluoro)')",
        "a cover page of administrative data, then the clinical note on 'page 2'",
        "alternating lines of English text and abbreviations expanded in square brackets",
    ],
}

SIDES = ["bilateral", "right", "left"]
STEROIDS = ["triamcinolone 40 mg", "methylprednisolone 40 mg", "dexamethasone 10 mg", "betamethasone 6 mg",
            "dexamethasone 4 mg", "Kenalog 40 mg"]
LOCALS = ["bupivacaine 0.5%", "bupivacaine 0.25%", "ropivacaine 0.5%", "lidocaine 2%", "bupivacaine 0.75%"]
CARE = ["physical therapy", "NSAIDs", "home exercise program", "chiropractic care", "activity modification",
        "acetaminophen", "muscle relaxants", "gabapentin", "massage", "acupuncture", "TENS"]
CARE_STATUS = ["failed", "failed", "failed", "ongoing", "planned", "never tried", "declined by patient"]
DX = {
    "lumbar": ["lumbar spondylosis without myelopathy or radiculopathy (M47.816)", "lumbar facet arthropathy",
               "lumbosacral spondylosis (M47.817)", "low back pain (M54.50)", "facet syndrome, lumbar"],
    "cervical": ["cervical spondylosis without myelopathy or radiculopathy (M47.812)", "cervical facet arthropathy",
                 "neck pain (M54.2)", "cervicogenic headache", "cervical facet syndrome"],
    "thoracic": ["thoracic spondylosis without myelopathy or radiculopathy (M47.814)", "thoracic facet arthropathy",
                 "thoracic back pain (M54.6)"],
}
NEIGHBOURS = [
    ("radiofrequency_ablation", "lumbar medial branch radiofrequency ablation (thermal, 80 C for 90 s per lesion)"),
    ("radiofrequency_ablation", "cervical medial branch radiofrequency neurotomy"),
    ("epidural_injection", "lumbar interlaminar epidural steroid injection"),
    ("epidural_injection", "transforaminal epidural steroid injection at one lumbar level"),
    ("epidural_injection", "caudal epidural steroid injection"),
    ("epidural_injection", "cervical interlaminar epidural steroid injection"),
    ("sacroiliac_joint", "sacroiliac joint intra-articular injection"),
    ("sacroiliac_joint", "sacroiliac lateral branch blocks (L5 dorsal ramus and S1-S3 lateral branches)"),
    ("other_procedure", "genicular nerve block of the knee"),
    ("other_procedure", "intra-articular hip injection"),
    ("other_procedure", "trigger point injections of the lumbar paraspinals"),
    ("other_procedure", "celiac plexus block"),
    ("other_procedure", "intercostal nerve blocks"),
    ("other_procedure", "intrathecal pain pump refill and reprogramming"),
    ("other_procedure", "greater occipital nerve block"),
    ("other_procedure", "stellate ganglion block"),
    ("other_procedure", "lumbar laminectomy and partial facetectomy (surgery)"),
    ("other_procedure", "spinal cord stimulator trial lead placement"),
]
NOT_PERFORMED = [
    "new-patient consult: facet-mediated pain suspected; past facet injections or medial branch blocks "
    "elsewhere are described with their relief; plan to schedule diagnostic medial branch blocks",
    "follow-up visit two weeks after a medial branch block done at another visit: relief diary reviewed, "
    "RFA discussed; nothing injected today",
    "prior-authorization request letter to the payer for planned facet injections / medial branch blocks, "
    "listing the levels, imaging guidance to be used, conservative care and prior results",
    "procedure note for a case cancelled before any injection (e.g. elevated INR, patient took anticoagulant, "
    "active infection, vasovagal episode during positioning); the planned levels and guidance are named",
    "pre-procedure consent and patient instruction sheet for an upcoming facet injection",
    "payer's denial or approval letter / peer-to-peer summary concerning a facet injection request",
    "coder's question to the physician about how to bill a facet procedure (query note)",
    "procedure scheduling order for medial branch blocks with fluoroscopy",
]
SHORTHAND = ["'bilat' for bilateral", "'MBB #1' / 'MBB #2'", "'bupi' for bupivacaine", "'fluoro'",
             "'x 9 mo' for durations", "'no radic' for no radicular symptoms", "'no sed' for no sedation",
             "'s/p' and 'h/o'", "'L4/5' style levels", "'R' and 'L' for sides", "'TFESI', 'MBB', 'RFA' acronyms",
             "'c/o', 'pt', 'w/'"]
TYPOS = ["a misspelled drug name", "'fluroscopy' or 'flouroscopy'", "a doubled word", "a missing space after "
         "a period", "a level typed like 'L45' or 'L 4-5'", "'medial brnach'", "'bilaterla'"]


def contiguous(rng: random.Random, joints: list[str], n: int) -> list[str]:
    start = rng.randrange(0, len(joints) - n + 1)
    return joints[start:start + n]


def facet_card(rng: random.Random, region_pick: str | None = None) -> dict[str, Any]:
    region = region_pick or rng.choices(["lumbar", "cervical", "thoracic", "junction"], [55, 28, 10, 7])[0]
    if region == "lumbar":
        joints = contiguous(rng, LUMBAR, rng.choices([1, 2, 3, 4], [25, 50, 20, 5])[0])
    elif region == "cervical":
        joints = contiguous(rng, CERVICAL, rng.choices([1, 2, 3], [30, 50, 20])[0])
    elif region == "thoracic":
        joints = contiguous(rng, THORACIC[:-1], rng.choices([1, 2, 3], [30, 50, 20])[0])
    else:
        joints = ["T12-L1"] + (["L1-L2"] if rng.random() < 0.6 else [])
    side_mode = rng.choices(["bilateral", "one", "mixed"], [55, 35, 10])[0]
    if side_mode == "bilateral" or (side_mode == "mixed" and len(joints) == 1):
        sides = {j: "bilateral" for j in joints}
    elif side_mode == "one":
        s = rng.choice(["right", "left"])
        sides = {j: s for j in joints}
    else:
        s = rng.choice(["right", "left"])
        sides = {j: ("bilateral" if i == 0 else s) for i, j in enumerate(joints)}
        if rng.random() < 0.5:
            sides = {j: ("bilateral" if i == len(joints) - 1 else s) for i, j in enumerate(joints)}
    technique = rng.choices(["medial_branch_block", "intra_articular"], [60, 40])[0]
    if region == "cervical" and "C2-C3" in joints and technique == "medial_branch_block":
        technique = "medial_branch_block (C2-C3 via the third occipital nerve)"
    naming = rng.choice(["joints only", "nerves only (medial branches named by vertebra, the writer maps them "
                         "anatomically)", "both joints and nerves", "joints in the title, nerves in the technique"]) \
        if technique != "intra_articular" else "joints"
    intent = rng.choices(
        ["first diagnostic block", "second (confirmatory) diagnostic block", "diagnostic (no number)",
         "therapeutic", "not stated in words (injectate decides)", "both 'diagnostic and therapeutic' claimed"],
        [20, 15, 12, 30, 15, 8])[0]
    steroid = intent in ("therapeutic",) or (intent.startswith("not stated") and rng.random() < 0.5) \
        or (intent.startswith("both")) or (intent.startswith("diagnostic") and rng.random() < 0.12)
    injectate = rng.choice(LOCALS) + (" + " + rng.choice(STEROIDS) if steroid else "") + \
        f", {rng.choice(['0.3', '0.5', '0.5', '1', '1.5'])} mL per site"
    imaging = rng.choices(["fluoroscopy", "CT", "ultrasound", "none documented",
                           "explicitly not used (landmark technique)"], [70, 10, 8, 6, 6])[0]
    localizer = None
    if imaging in ("CT", "fluoroscopy") and rng.random() < 0.35:
        lo = (LUMBAR if region in ("lumbar",) else CERVICAL if region == "cervical" else THORACIC)
        first = lo.index(joints[0]) if joints[0] in lo else 0
        a = max(0, first - rng.randint(1, 2))
        b = min(len(lo) - 1, first + len(joints) + rng.randint(0, 2))
        localizer = f"a scout/localizer series from {lo[a].split('-')[0]} to {lo[b].split('-')[1]} " \
                    "(a survey, not treated levels)"
    pre = rng.randint(4, 10)
    scale = rng.choices(["NRS 0-10", "VAS 0-100 mm", "verbal plus NRS"], [80, 12, 8])[0]
    post_known = rng.random() < 0.85
    post = rng.randint(0, max(0, pre - 2)) if post_known else None
    if scale.startswith("VAS"):
        pre, post = pre * 10, (post * 10 if post is not None else None)
    care = []
    for name in rng.sample(CARE, rng.randint(0, 3)):
        care.append({"name": name, "status": rng.choice(CARE_STATUS),
                     "duration": rng.choice(["6 weeks", "8 weeks", "3 months", "4 months", "1 year", "12 weeks",
                                             "unspecified"])})
    prior = None
    if rng.random() < 0.4:
        prior = rng.choice([
            "two prior diagnostic medial branch blocks at the same levels, each with 80-90% relief for hours",
            "a prior therapeutic intra-articular steroid injection 7 months ago with 70% relief for 5 months",
            "a prior diagnostic block at different levels (named by the writer) with 50% relief",
            "radiofrequency ablation 14 months ago at the same levels, 75% relief for 10 months",
            "a first diagnostic MBB two weeks ago with 85% relief for 6 hours",
        ])
    sedation = rng.choices(["none", "local skin anaesthetic only", "IV moderate sedation (midazolam/fentanyl)",
                            "MAC by anaesthesia"], [45, 30, 17, 8])[0]
    rg = "lumbar" if region in ("lumbar", "junction") else region
    card: dict[str, Any] = {
        "doc_type": "facet procedure note",
        "region": region if region != "junction" else "thoracolumbar junction",
        "joints": [{"joint": j, "side": sides[j]} for j in joints],
        "technique": technique,
        "level_naming": naming,
        "intent": intent,
        "injectate": injectate,
        "imaging": imaging,
        "localizer_text": localizer,
        "sedation": sedation,
        "pain_before": f"{pre} ({scale})",
        "pain_after": f"{post} ({scale})" if post is not None else "not documented (a gap)",
        "prior_blocks_in_history": prior,
        "conservative_care": care,
        "pain_duration": rng.choice(["4 months", "6 months", "9 months", "1 year", "2 years", "18 months",
                                     "since a fall in 2023", "not documented (a gap)", "5 years", "3 months"]),
        "radicular_symptoms": rng.choice(["denied", "denied", "present in one leg/arm", "not mentioned"]),
        "diagnosis": rng.choice(DX[rg]),
        "payer": rng.choices(["Medicare", "commercial (e.g. Aetna, UHC)"], [75, 25])[0],
    }
    if rng.random() < 0.15:
        card["addendum"] = rng.choice([
            "an addendum corrects the side of one level (the body had the wrong side)",
            "an addendum adds the post-procedure pain score that the body left out",
            "an addendum states the intent of the block (the body did not)",
            "an addendum restates the facts without changing any",
        ])
    if rng.random() < 0.12:
        card["conflict"] = rng.choice([
            "the procedure title lists one more level than the technique actually describes injecting "
            "(the technique is what was done)",
            "the title says bilateral but the technique describes only one side being injected",
        ])
    return card


def neighbour_card(rng: random.Random) -> dict[str, Any]:
    family, what = rng.choice(NEIGHBOURS)
    return {"doc_type": "neighbouring procedure note (not a facet injection)", "procedure": what,
            "family": family,
            "imaging": rng.choice(["fluoroscopy", "fluoroscopy", "ultrasound", "CT", "none"]),
            "mentions_facets": rng.choice([True, False]),
            "sedation": rng.choice(["none", "IV moderate sedation", "local only"]),
            "pain_before": f"{rng.randint(4, 10)} (NRS 0-10)", "payer": rng.choice(["Medicare", "commercial"])}


def not_performed_card(rng: random.Random) -> dict[str, Any]:
    region = rng.choice(["lumbar", "lumbar", "cervical", "thoracic"])
    pool = LUMBAR if region == "lumbar" else CERVICAL if region == "cervical" else THORACIC[:-1]
    joints = contiguous(rng, pool, rng.choice([1, 2, 2, 3]))
    return {"doc_type": "document that records NO injection performed today",
            "kind": rng.choice(NOT_PERFORMED), "region": region,
            "levels_named": joints, "side": rng.choice(SIDES),
            "imaging_words": rng.choice(["fluoroscopy named as planned guidance", "none", "CT guidance requested"]),
            "pain_before": f"{rng.randint(4, 10)} (NRS 0-10)", "payer": rng.choice(["Medicare", "commercial"])}


def multi_card(rng: random.Random) -> dict[str, Any]:
    card = facet_card(rng)
    card["doc_type"] = "multi-procedure session: a facet procedure plus another procedure the same day"
    card["other_procedure_same_session"] = rng.choice([
        "sacroiliac joint injection", "a lumbar transforaminal epidural steroid injection at one level",
        "trigger point injections", "a facet procedure in a second spinal region (writer chooses cervical "
        "or lumbar joints and sides; record them as a deviation)", "greater occipital nerve block"])
    return card


def make_card(rng: random.Random) -> dict[str, Any]:
    kind = rng.choices(["facet", "neighbour", "not_performed", "multi"], [64, 14, 14, 8])[0]
    card = {"facet": facet_card, "neighbour": neighbour_card, "not_performed": not_performed_card,
            "multi": multi_card}[kind](rng)
    extras = []
    if rng.random() < 0.5:
        extras.append("use shorthand such as " + ", ".join(rng.sample(SHORTHAND, 2)))
    if rng.random() < 0.35:
        extras.append("leave a typo or two, e.g. " + rng.choice(TYPOS))
    card["writing_extras"] = extras
    return card


def render(card: dict[str, Any]) -> str:
    lines = [f"### {card['id']}"]
    for key, value in card.items():
        if key in ("id", "batch", "voice", "layout", "writer"):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = "; ".join(", ".join(f"{k} {v}" for k, v in item.items()) for item in value)
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "none"
        elif value is None:
            value = "none"
        lines.append(f"- {key.replace('_', ' ')}: {value}")
    lines.append(f"- voice: {card['voice']}")
    lines.append(f"- layout: {card['layout']}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", required=True, choices=sorted(VOICES))
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--writers", type=int, default=6)
    ap.add_argument("--per-writer", type=int, default=25)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    voices, layouts = VOICES[args.batch], LAYOUTS[args.batch]
    cards = []
    for w in range(args.writers):
        for i in range(args.per_writer):
            card = make_card(rng)
            card = {"id": f"b{args.batch.lower()}{w + 1}{i + 1:02d}", "batch": args.batch, "writer": w + 1,
                    "voice": voices[(w + i) % len(voices)], "layout": layouts[(w * 2 + i) % len(layouts)],
                    **card}
            cards.append(card)
    with (args.out / "cards.jsonl").open("w") as fh:
        for card in cards:
            fh.write(json.dumps(card) + "\n")
    for w in range(args.writers):
        mine = [c for c in cards if c["writer"] == w + 1]
        (args.out / f"writer_{w + 1}.md").write_text("\n\n".join(render(c) for c in mine) + "\n")
    print(f"{len(cards)} cards for {args.writers} writers in {args.out}")


if __name__ == "__main__":
    main()
