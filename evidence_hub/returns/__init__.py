"""Site returns: the lead's task list and section pages. Every module here adds routes to `returns`."""

import importlib
import pkgutil

from evidence_hub.returns.blueprint import returns

# Section pages live in their own modules; importing each one registers its routes on the blueprint.
for _module in pkgutil.iter_modules(__path__):
    if _module.name != "blueprint":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["returns"]
