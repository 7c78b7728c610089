"""The evaluation framework blueprint: browsing, searching, downloads, uploads and publishing."""

from evidence_hub.framework.views import framework

__all__ = ["framework"]
