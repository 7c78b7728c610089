"""Cross-site figures for evaluators' dashboards, aggregated in SQL, and value for money."""
