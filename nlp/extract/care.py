# PLACEHOLDER being replaced by the conservative-care extractor work; do not build on this.
from nlp.extract.view import NoteView
from nlp.schema import ConservativeCare


def extract_conservative_care(view: NoteView) -> ConservativeCare:
    return ConservativeCare()
