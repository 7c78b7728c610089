"""People and places: users and signing in, passwords, personal API tokens, and pilot sites with their
partners.
"""
