"""What each dashboard view shows: its panels (a chart, the table of the same numbers, warnings), one
module per view.

A builder takes the session, the scope and the view's own choice (an indicator, an outcome, a learning
type) and returns the panels; the page and the CSV download both call it, so a download always holds
exactly the table under the chart.
"""
