"""Printing a release: the learning summary's words, charts, PDF and Word document, and the data pack
files.
"""
