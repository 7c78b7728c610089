"""The shared evaluation framework, versioned.

A framework file (its format in file_format.py; the files shipped with the service and the published
schema in shipped_files.py) is read into plain definitions (reading/, definitions.py), imported as a
draft version and published or deleted (lifecycle.py, with version_rows.py turning definitions into
rows and back), and compared with the version before it (differences.py). Around the versions:
finding.py, periods.py (reporting periods), search.py, data_dictionary.py (XLSX), sharing.py (cross-site
sharing), demo.py, wording.py (values in words) and errors.py.
"""
