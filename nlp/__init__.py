"""facetcoder: facet joint injection / medial branch block note extraction and coding."""

__version__ = "0.1.0"
