"""Chart assets: the installed plotly package's own plotly.js, served under /static/vendor for the
dashboards, and the stylesheet that replaces the styles plotly.js would inject."""

from evidence_hub.chart_assets.views import chart_assets

__all__ = ["chart_assets"]
