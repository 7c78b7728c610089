"""Releases and downloads: evaluators publish frozen releases; national officials browse and download them;
site leads download their own site's data."""

from evidence_hub.downloads.views import downloads

__all__ = ["downloads"]
