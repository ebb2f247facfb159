# PLACEHOLDER being replaced by the pain-duration extractor work; do not build on this.
from nlp.extract.view import NoteView
from nlp.schema import PainDuration


def extract_pain_duration(view: NoteView) -> PainDuration:
    return PainDuration()
