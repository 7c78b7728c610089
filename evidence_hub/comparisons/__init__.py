"""The evaluator's comparison pages: name each site's own area and its comparison areas, upload their
series, and rate each site's evidence of impact."""

from evidence_hub.comparisons.views import comparisons

__all__ = ["comparisons"]
