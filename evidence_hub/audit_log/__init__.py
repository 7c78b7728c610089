"""The audit log: every record, filtered and downloaded, and the history of one item."""

from evidence_hub.audit_log.views import audit_log

__all__ = ["audit_log"]
