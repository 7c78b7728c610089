"""The shared evaluation framework: its files, versions, reporting periods, search and data dictionary."""
