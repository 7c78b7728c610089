"""Cross-site figures for the dashboards, aggregated in SQL: one module per dashboard view (costs,
outcomes, value for money, completeness, learning, journey), the scope they share, and the helpers that
keep their sums exact.

Every figure takes a `Scope` (the framework, periods, sites, theme and return states in view, already
narrowed to what the acting user may see) and runs a fixed number of GROUP BY queries, so the number of
queries behind a view does not grow with the number of sites or periods. Money is summed in whole pence
(and attributable money in pence × hundredths of a percent) so that both engines add exact integers; the
results are Decimals, rounded only when they are shown.
"""
