# PLACEHOLDER being replaced by the pain extractor work; do not build on this.
from nlp.extract.view import NoteView
from nlp.schema import PainScore, PercentRelief


def extract_pain_scores(view: NoteView) -> tuple[list[PainScore], list[PercentRelief]]:
    return [], []
