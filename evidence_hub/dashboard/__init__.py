"""Cross-site dashboards: costs, outcomes, value for money, completeness, learning, the data-sharing
journey and a profile of each site, with Plotly charts, the same numbers in tables and CSV downloads."""

from evidence_hub.dashboard import appraisal_uploads  # noqa: F401  (registers the upload pages)
from evidence_hub.dashboard.views import dashboard

__all__ = ["dashboard"]
