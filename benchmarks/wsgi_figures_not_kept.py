"""The service as wsgi.py serves it, with the kept figures' upkeep switched off: write_speed.py's
baseline (--compare-upkeep), what writing an item cost before figures were kept per return. A
benchmark's application, never production's: the returns it writes to are left with stale figures until
write_speed.py rebuilds them.
"""

from benchmarks.write_speed import switch_off_upkeep
from wsgi import app

switch_off_upkeep()

__all__ = ["app"]
