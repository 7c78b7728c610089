"""Write static/plotly.css from the installed plotly package's plotly.js (run after upgrading plotly)."""

from evidence_hub.chart_assets.stylesheet import PLOTLY_CSS, plotly_stylesheet
from evidence_hub.chart_assets.views import PLOTLY_JS

if __name__ == "__main__":
    PLOTLY_CSS.write_text(plotly_stylesheet(PLOTLY_JS.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"Wrote {PLOTLY_CSS}")
