"""Reading a framework file: its text into plain definitions (definitions.py), every problem found at once.

Reading never stops at the first mistake: every problem is collected with its location, such as
`indicators[3].plausible_min` (items are counted from 0), and a plain-English message, so that one round
of corrections fixes the whole file. framework_file.py reads a whole file, sections.py each of its
sections, and entries.py one entry and its values. Nothing here touches the database.
"""
