"""Exception types. Messages say what was expected and what was received."""

from __future__ import annotations


class FacetcoderError(Exception):
    """Base class for every error facetcoder raises on purpose."""


class ResourceError(FacetcoderError):
    """A packaged or user-supplied data file is missing or malformed."""


class RuleTableError(ResourceError):
    """A rule table failed validation; the message names the file, row and problem."""


class InputError(FacetcoderError):
    """A note cannot be analysed (empty, binary, bad encoding, too large).

    `code` is a stable machine-readable reason used in batch error rows.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
