"""Data packs: a release's tables (or a site's own live figures) as one XLSX workbook or a zip of CSV files,
and any one table as a streamed CSV.

The writers work from a `PackSource`, so the same code writes a frozen release's pack for national
officials and a site lead's pack of their own site's live data. Rows are read from the source one at a
time and written straight out, so memory stays flat however many rows a table has:

- XLSX: the workbook's own writer (xlsx.py) writes each sheet's rows as they come, through a temporary
  file into the zip, and text is written inline (no shared-string table growing with the data).
- Zip: each CSV is written into its zip entry chunk by chunk (`ZipFile.open(name, "w")`).
- CSV stream: `iter_csv` yields chunks of about 64 KB for a streamed HTTP response.

Every value is written according to its column's kind: money, counts and other numbers as numbers (money
with a pound format in XLSX), dates as dates, "Yes"/"No" for flags, and text as text. A figure withheld by
disclosure control ("[c]") stays the text "[c]"; an empty cell means the figure is not available.

Formula safety: text that a spreadsheet program could read as a formula (starting with =, +, -, @, a tab or
a carriage return) is stored as text with Excel's quote prefix in XLSX, and given a leading apostrophe in
CSV (spreadsheet_safety.csv_safe). Numbers are converted to numbers first, so a negative amount is a number,
never an escaped string.

CSV files are RFC 4180 (the csv module, minimal quoting, CRLF line ends) in UTF-8 with a byte order mark:
without the mark Excel reads a CSV file in the computer's legacy code page and garbles "£", accented names
and typographic quotes; other tools (Python's "utf-8-sig", R, pandas) skip the mark.
"""
