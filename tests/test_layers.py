"""Which part of Evidence Hub may import which: the layers, written down once, checked on every module.

Every module of evidence_hub/ belongs to the layer whose longest prefix in LAYERS names it, and may
import its own layer, what that layer's `may_import` names, the standard library and third parties,
but no third party its layer forbids. Every import counts, including those inside functions and
under TYPE_CHECKING. Separately, no module imports a `_private` name of another package, nor reaches
one through an imported module (`figures._rows`). A module fails until its package has a layer: a
new service package gets one line in SERVICES, a new blueprint package its name in BLUEPRINTS.

To see it fail, add `from flask import request` to evidence_hub/services/common/audit.py, or
`from evidence_hub.admin import admin` to evidence_hub/review/views.py, and run
`pytest tests/test_layers.py`: the test named after that module fails, naming the import, its line
and the rule it breaks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE = "evidence_hub"
PACKAGE_FOLDER = Path(__file__).resolve().parent.parent / PACKAGE

# Third parties of the web layer: services and models take a Session and plain values, never a request.
WEB = ("flask", "flask_login", "flask_wtf", "wtforms", "werkzeug")


@dataclass(frozen=True)
class Layer:
    name: str
    modules: tuple[str, ...]
    may_import: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    why: str = ""


BLUEPRINTS = (
    "admin",
    "api",
    "audit_log",
    "auth",
    "background_jobs",
    "chart_assets",
    "comparisons",
    "dashboard",
    "downloads",
    "framework",
    "main",
    "periods",
    "returns",
    "review",
    "tokens",
)

# Each service package and the other services it may use. Every service may also use the models and the
# database, and every one but services.common may use services.common and formatting; services.releases.render
# has a layer of its own, below.
SERVICES = {
    "common": (),
    "accounts": ("notifications",),
    "framework": ("accounts", "appraisal"),
    "returns": ("framework", "accounts", "impact", "notifications"),
    "dashboards": ("framework", "appraisal", "impact"),
    "releases": ("dashboards", "framework", "appraisal", "impact", "jobs", "notifications"),
    "home": ("accounts", "returns", "releases"),
    "impact": ("framework", "dashboards"),
    "appraisal": (),
    "jobs": (),
    "notifications": ("jobs",),
}


def _in_package(*names: str) -> tuple[str, ...]:
    return tuple(f"{PACKAGE}.{name}" for name in names)


def _service_layer(service: str, uses: tuple[str, ...]) -> Layer:
    common = () if service == "common" else ("services.common", "formatting")
    return Layer(
        name=f"services.{service}",
        modules=_in_package(f"services.{service}"),
        may_import=_in_package("models", "db", *common, *(f"services.{used}" for used in uses)),
        forbidden=WEB,
        why="services hold the domain rules: they take a Session and plain values, and know no request",
    )


def _blueprint_layer(blueprint: str) -> Layer:
    return Layer(
        name=f"blueprint {blueprint}",
        modules=_in_package(blueprint),
        may_import=_in_package(
            "services",
            "models",
            "db",
            "web",
            "guards",
            "formatting",
            "form_fields",
            "extensions",
            "return_pages",
            "storage",
        ),
        why="blueprints never import each other: a helper two of them need belongs in web.py, formatting.py "
        "or a service",
    )


def _plain(name: str, *may_import: str, why: str) -> Layer:
    return Layer(name=name, modules=_in_package(name), may_import=_in_package(*may_import), why=why)


LAYERS: tuple[Layer, ...] = (
    Layer(
        name="app factory",
        modules=(PACKAGE,),
        may_import=_in_package(
            "config",
            "db",
            "design_system",
            "extensions",
            "errors",
            "formatting",
            "navigation",
            "guards",
            "web",
            "services",
            "request_input",
            "request_log",
            "job_running",
            "static_files",
            "template_environment",
        )
        + _in_package(*BLUEPRINTS),
        why="only the app factory registers blueprints",
    ),
    Layer(
        name="models",
        modules=_in_package("models"),
        may_import=_in_package("db"),
        forbidden=WEB,
        why="models are plain SQLAlchemy: no services, no blueprint, no request",
    ),
    Layer(
        name="services",
        modules=_in_package("services"),
        forbidden=WEB,
        why="evidence_hub/services/__init__.py only groups the service packages; a new one needs its line in "
        "SERVICES",
    ),
    *(_service_layer(service, uses) for service, uses in SERVICES.items()),
    Layer(
        name="services.releases.render",
        modules=_in_package("services.releases.render"),
        may_import=_in_package("services.releases", "services.common.spreadsheet_safety", "formatting"),
        forbidden=(*WEB, "sqlalchemy"),
        why="renderers turn a release's protected tables into files: they never read the database",
    ),
    *(_blueprint_layer(blueprint) for blueprint in BLUEPRINTS),
    _plain("config", why="configuration is read before anything else exists"),
    _plain("db", why="the database layer knows no model"),
    _plain("extensions", why="extensions are unbound until the app factory binds them"),
    _plain("formatting", why="formatting turns values into words and imports nothing of the app"),
    _plain("design_system", why="GOV.UK markup drawn in Python from plain values imports nothing of the app"),
    _plain("form_fields", why="form fields are plain WTForms fields"),
    _plain("migrations", "db", why="migrations know only the database"),
    _plain("web", "models", why="web.py serves every blueprint, so it imports none"),
    _plain(
        "return_pages",
        "errors",
        "models",
        "services",
        "web",
        why="what every page about a return shares, for the returns and review blueprints alike "
        "(a refused change is drawn as the error pages are)",
    ),
    _plain("guards", "models", "web", why="guards decide access from the signed-in user alone"),
    _plain("navigation", "models", why="the navigation lists endpoints by name, never by import"),
    _plain("static_files", why="static files are compressed and cached by the same rules for every route"),
    _plain("template_environment", why="the Jinja environment of every page imports nothing of the app"),
    _plain("errors", "db", "models", "services.common", "web", why="error pages import no blueprint"),
    _plain(
        "request_input",
        "services.common",
        why="the rules for what a request may bring in are applied before any blueprint sees it",
    ),
    _plain("request_log", why="every log line carries its request's id, from the first hook of a request"),
    _plain(
        "storage", "services", why="the deployment's object stores, made from its settings for any blueprint"
    ),
    _plain(
        "job_running",
        "services",
        "storage",
        "web",
        why="who runs background jobs in this process: the web process itself (SQLite) or a worker",
    ),
    _plain("demo", "db", "models", "services", why="the demo world is built through the services"),
    _plain("demo_evidence", "db", "models", "services", why="the demo world is built through the services"),
    Layer(
        name="cli",
        modules=_in_package("cli"),
        may_import=(
            PACKAGE,
            *_in_package(
                "config",
                "db",
                "models",
                "services",
                "migrations",
                "demo",
                "demo_evidence",
                "formatting",
                "storage",
                "job_running",
            ),
        ),
        why="commands build an app and call services; they import no blueprint",
    ),
)

# Imports that break a rule today, each with who mends it. An entry that is no longer needed fails.
KNOWN_BREACHES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Breach:
    module: str
    imported: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"line {self.line}: imports {self.imported}: {self.rule}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_FOLDER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE_FOLDER.rglob("*.py"))}


def _within(module: str, prefix: str) -> bool:
    """The module is the one named or inside it; the package itself stands only for its __init__.py (the app
    factory), never for everything in it."""
    return module == prefix or (prefix != PACKAGE and module.startswith(prefix + "."))


def layer_of(module: str) -> Layer | None:
    owners = [(len(prefix), layer) for layer in LAYERS for prefix in layer.modules if _within(module, prefix)]
    return max(owners, key=lambda owner: owner[0])[1] if owners else None


def _package_of(module: str) -> str:
    return module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@dataclass(frozen=True)
class Import:
    target: str  # the module imported, or the one a name is imported from
    name: str | None  # the name imported from it, when that name is not itself a module
    line: int

    @property
    def shown(self) -> str:
        return f"{self.target}.{self.name}" if self.name else self.target


def imports_of(module: str) -> Iterator[Import]:
    """Every import in the module, anywhere in it; `from evidence_hub.x import y` imports module x.y when
    there is one. Module attributes read through an imported evidence_hub module count as imported names."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    module_aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, None, node.lineno)
                if alias.asname:
                    module_aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                package = _package_of(module).split(".")
                base = package[: len(package) - node.level + 1]
                source = ".".join([*base, source] if source else base)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in modules():
                    yield Import(submodule, None, node.lineno)
                    module_aliases[alias.asname or alias.name] = submodule
                else:
                    yield Import(source, alias.name, node.lineno)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in module_aliases
            and _is_private(node.attr)
        ):
            yield Import(module_aliases[node.value.id], node.attr, node.lineno)


def breaches_of(module: str) -> list[Breach]:
    layer = layer_of(module)
    assert layer is not None
    found: list[Breach] = []
    for each in imports_of(module):
        top = each.target.split(".")[0]
        shown = each.shown
        if top in layer.forbidden:
            found.append(Breach(module, shown, each.line, f"{layer.name} may not import {top} ({layer.why})"))
        elif top == PACKAGE:
            if not any(_within(each.target, prefix) for prefix in (*layer.modules, *layer.may_import)):
                permitted = ", ".join(layer.may_import) or "nothing of the app"
                found.append(
                    Breach(
                        module,
                        shown,
                        each.line,
                        f"{layer.name} may import only its own modules and {permitted} ({layer.why})",
                    )
                )
            elif each.name and _is_private(each.name) and _package_of(each.target) != _package_of(module):
                found.append(
                    Breach(
                        module,
                        shown,
                        each.line,
                        "a _private name belongs to its own package: make it public where both can reach it",
                    )
                )
    return [breach for breach in found if (module, breach.imported) not in KNOWN_BREACHES]


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_follow_the_layers(module: str) -> None:
    assert layer_of(module) is not None, f"{module} belongs to no layer: give its package one in LAYERS"
    breaches = breaches_of(module)
    assert not breaches, f"{module} breaks the layers:\n" + "\n".join(f"  {breach}" for breach in breaches)


def test_every_layer_names_modules_that_exist() -> None:
    unknown = [
        prefix
        for layer in LAYERS
        for prefix in (*layer.modules, *layer.may_import)
        if not any(_within(module, prefix) for module in modules())
    ]
    assert not unknown, f"LAYERS names modules that no longer exist: {unknown}"


def test_every_known_breach_is_still_there() -> None:
    mended = [
        breach
        for breach in KNOWN_BREACHES
        if breach[0] not in modules() or not any(each.shown == breach[1] for each in imports_of(breach[0]))
    ]
    assert not mended, f"These imports no longer break the layers: remove them from KNOWN_BREACHES: {mended}"
