"""The evaluation framework blueprint: browsing, searching, downloads, uploads and publishing."""
