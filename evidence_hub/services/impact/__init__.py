"""Estimates of a pilot's impact against comparison areas, and the checks behind them.

Before-and-after change from baseline is not an estimate of impact: figures rise and fall with the
economy whatever a pilot does. This package compares each pilot site with comparison areas that did not
take part, before and after the pilot began, and says how far that comparison can be trusted:

- `quarters`: quarter codes (2009-Q2) before and after a pilot's start.
- `series_file`: reading an uploaded file of comparison series (CSV or XLSX) into checked rows, with
  every problem reported by row and column, all at once.
- `estimates`: the difference-in-differences estimate for one site and indicator, its pre-trend
  (placebo) check and the change-from-baseline figure used where there is no comparison.
- `pooling`: a random-effects meta-analysis of the sites' estimates, with the prediction interval a
  roll-out decision needs.
- `theory_of_change`: relations the framework declares between indicators (job entries ≤ clients
  engaged; a rate = numerator ÷ denominator × 100) and the values that break them.
- `synthetic_series`: clearly labelled synthetic comparison series for the demo sites.

Everything here is pure: plain data in, plain data out, no database and no Flask.
"""
