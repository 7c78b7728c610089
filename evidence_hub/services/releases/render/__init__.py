"""Printing a release: the learning summary's words (`words`, `units`, `projection`), the document as
blocks (`blocks`), its charts, PDF and Word document, and the data pack files (`data_pack/`).

Everything here prints plain data that is already built and disclosure-controlled: it reads no database
and imports no models.
"""
