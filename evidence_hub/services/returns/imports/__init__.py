"""Spreadsheet templates and uploads for the sections of a return: all rows are saved, or none.

A template (XLSX or CSV, templates.py) is pre-filled with the site, the period, the framework's codes and
guidance and the items already recorded, each with its reference. Uploading it back (uploads.py) checks
every row through the same services as the web forms, reports every problem by row and column, and writes
nothing unless every row is valid. Rows are matched by their reference (or, for impact measures, by
indicator code), so uploading the same file twice updates what is there instead of duplicating it. How
each section maps to columns is in sections.py; reading a cell, in cells.py.
"""
