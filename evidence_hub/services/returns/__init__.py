"""Site returns: the workflow from draft to approval, the evidence items of each section, documents and
spreadsheet imports.
"""
