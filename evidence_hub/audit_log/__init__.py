"""The audit log: every record, filtered and downloaded, and the history of one item."""
