"""Site returns: the lead's task list and section pages, and the evaluator's reading of them.

The blueprint lives in views.py (the return itself: task list, check your answers, submitting); each
section's pages add their routes to it from a module of their own, imported here so they are registered.
"""

from evidence_hub.returns import (  # noqa: F401  (imported for the routes they register)
    activities,
    cards,
    comparison_figures,
    costs,
    documents,
    journey,
    learning,
    measures,
    uploads,
)
from evidence_hub.returns.views import returns

__all__ = ["returns"]
