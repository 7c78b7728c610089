"""Background jobs: work that should not hold up a request (building a release's files), queued in the same
transaction as the event that asks for it, run once by a worker (PostgreSQL) or by the web process itself
after the response (SQLite), retried with back-off, and recorded for administrators."""
