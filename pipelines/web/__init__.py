"""The paste-and-code web page and REST API (`facetcoder serve`); see `app.create_app`."""

from pipelines.web.app import create_app

__all__ = ["create_app"]
