"""Request and response bodies of the REST API (the note result itself is `nlp.schema.NoteResult`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nlp.schema import NoteResult

NOTE_ID_MAX = 200
PAYER_MAX = 64


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnalyzeRequest(BaseModel):
    """One note. `payer` is a packaged profile name (see `GET /api/health`); default: the server's."""

    text: str = Field(description="The procedure note, plain text (UTF-8 size limit: see /api/health).")
    note_id: str = Field("note", min_length=1, max_length=NOTE_ID_MAX)
    payer: str | None = Field(None, min_length=1, max_length=PAYER_MAX)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "PROCEDURE: Bilateral L4-L5 medial branch block ...", "note_id": "n1"}]},
    )


class BatchNote(_Body):
    text: str
    note_id: str | None = Field(None, min_length=1, max_length=NOTE_ID_MAX, description="Default: note-<index>.")


class BatchRequest(_Body):
    """Several notes, one payer. The number of notes is limited (see /api/health `limits.max_batch`)."""

    notes: list[BatchNote] = Field(min_length=1)
    payer: str | None = Field(None, min_length=1, max_length=PAYER_MAX)


class BatchError(_Body):
    """A note of a batch that could not be analysed; the other notes still are."""

    note_id: str
    index: int
    error: str = Field(description="Stable reason code: empty, binary, encoding, too_large.")
    detail: str


class BatchResponse(_Body):
    """One entry per note, in input order; an entry with a non-null `error` is a `BatchError`."""

    results: list[NoteResult | BatchError]


class PageResult(_Body):
    """What the web page needs: the result and the copy text for its claim lines."""

    result: NoteResult
    claim_text: str = Field(description="One line per claim line, as a billing system takes them.")


class Limits(_Body):
    max_note_bytes: int
    max_batch: int
    max_body_bytes: int
    max_batch_body_bytes: int


class Health(_Body):
    status: str
    version: str
    schema_version: str
    pipeline_loaded: bool
    models_applied: bool = Field(description="Installed scikit-learn models refine the rule results.")
    profiles: list[str]
    default_payer: str
    token_required: bool
    limits: Limits


class ErrorBody(_Body):
    """Every error response: a stable `error` code and a readable `detail`."""

    error: str
    detail: str
