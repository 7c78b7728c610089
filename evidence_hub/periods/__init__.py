"""Reporting periods administration: each framework's periods with their returns, and closing a period."""
