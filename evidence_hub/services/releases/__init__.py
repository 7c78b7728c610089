"""Releases for national officials: publishing frozen tables under disclosure control, reading them, the
learning summary and a site's own data.
"""
