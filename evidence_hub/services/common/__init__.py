"""Rules every package shares: who may see what (access), the append-only audit log, and reading and
writing spreadsheets safely.
"""
