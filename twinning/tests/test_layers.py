"""Dependencies run one way: a module never imports one from a higher layer (DESIGN.md, "Layers").

The check reads every module's import statements with `ast`, including imports inside functions (they run too),
and leaves out those under `if TYPE_CHECKING:` (they never run). Import-linter's layer contracts work on packages;
here an app's `demo.py` belongs to the demo layer although it lives in its app's package, which a few lines of
`ast` say more plainly than a contract with exceptions.

Tests, the test factories (`twinning.testing`) and migrations are left out: tests may use any layer.
"""

import ast
from pathlib import Path

import pytest

import twinning

# Lowest first. A module may import from its own layer's app and from any lower layer, never from a higher one.
LAYERS: list[set[str]] = [
    {"audit"},
    {"core"},  # shared helpers; imports no app but the audit log its services write to
    {"accounts"},  # users, roles and the access rules every app asks
    {"directory"},
    {"partnerships"},
    {"matching", "planning", "monitoring", "exchanges", "contributions", "knowledge", "sustainability"},
    {"reports", "interop"},
    # The demo loader writes through every app; the project level mounts every app's URLs and API routers.
    {"demo", "project"},
]

# Apps of one layer are independent of each other, except along these edges (importer: what it may import).
# Each runs one way: the reverse import stays forbidden.
SAME_LAYER_USES: dict[str, set[str]] = {
    # Results are reported against the indicators and periods of a plan.
    "monitoring": {"planning"},
    # An exchange may serve an objective or activity of the partnership's plan.
    "exchanges": {"planning"},
    # A gift or volunteer time may be logged against an exchange or a plan activity.
    "contributions": {"exchanges", "planning"},
    # Sustainability reads what partnerships recorded: exchanges for the mutual benefit summary, plans and results
    # for transition and graduation (DESIGN.md: "knowledge and sustainability read from monitoring and exchanges");
    # a transition plan hands over the partnership's practices and a follow-up asks whether they still run.
    "sustainability": {"exchanges", "monitoring", "planning", "knowledge"},
    # A practice shows its effect through the partnership's indicators, whose approved figures are read live from
    # monitoring (DESIGN.md: "knowledge and sustainability read from monitoring and exchanges").
    "knowledge": {"exchanges", "monitoring", "planning"},
}

# Modules of the `twinning` package itself rather than of an app: settings, root URLs, API root, home page.
PROJECT_MODULES = {
    "__init__",
    "settings",
    "settings_test",
    "urls",
    "api",
    "views",
    "work",
    "wsgi",
    "cli",
    "conftest",
}
SKIPPED = {"tests", "testing", "migrations"}

ROOT = Path(twinning.__file__).parent


def layer_of(app: str) -> int:
    for index, apps in enumerate(LAYERS):
        if app in apps:
            return index
    raise LookupError(f"'{app}' is in no layer: add it to LAYERS in {__name__}")


def owner(module: str) -> str:
    """The app (or "demo", or "project") a dotted module name of the twinning package belongs to."""
    parts = module.split(".")
    if parts[0] != "twinning":
        raise ValueError(module)
    if len(parts) == 1 or parts[1] in PROJECT_MODULES:
        return "project"
    # An app's own demo is part of the demo layer: only the demo loader runs it, and it may use the shared
    # demo data.
    if len(parts) > 2 and parts[2] == "demo":
        return "demo"
    return parts[1]


def allowed(importer: str, imported: str) -> bool:
    if importer == imported:
        return True
    if imported in SAME_LAYER_USES.get(importer, set()):
        return True
    return layer_of(imported) < layer_of(importer)


def runtime_imports(source: str, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import in `source` that runs, resolved to an absolute dotted name."""
    tree = ast.parse(source)
    type_checking = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and ast.unparse(branch.test).endswith("TYPE_CHECKING")
        for stmt in branch.body
        for node in ast.walk(stmt)
    }
    package = module.split(".")
    found = []
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level]
                found.append((node.lineno, ".".join([*base, *([node.module] if node.module else [])])))
            elif node.module == "twinning":  # `from twinning import api` imports the module twinning.api
                found += [(node.lineno, f"twinning.{alias.name}") for alias in node.names]
            elif node.module:
                found.append((node.lineno, node.module))
    return found


def module_name(path: Path) -> str:
    # A package keeps its "__init__": relative imports then resolve alike for packages and plain modules.
    return ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)


def violations(modules: dict[str, str]) -> list[str]:
    """Every import in `modules` (dotted name -> source) that goes from a lower layer to a higher one, or to an
    app of the same layer that it may not use."""
    found = []
    for module, source in sorted(modules.items()):
        importer = owner(module)
        for line, target in runtime_imports(source, module):
            if target != "twinning" and not target.startswith("twinning."):
                continue
            imported = owner(target)
            if not allowed(importer, imported):
                found.append(f"{module}:{line} ({importer}) imports {target} ({imported})")
    return found


def project_modules() -> dict[str, str]:
    sources = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).parts
        if SKIPPED & set(relative) or path.name == "conftest.py":
            continue
        sources[module_name(path)] = path.read_text()
    return sources


def test_every_app_has_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps - set().union(*LAYERS) == set()


def test_no_module_imports_a_higher_layer():
    assert violations(project_modules()) == []


@pytest.mark.parametrize(
    "module, source",
    [
        ("twinning.core.views", "from twinning.partnerships.selectors import partnership_list"),
        ("twinning.directory.views", "def view():\n    from twinning.partnerships import selectors"),
        ("twinning.planning.services", "import twinning.monitoring.models"),
        ("twinning.matching.models", "from twinning.demo.plan import demo_uuid"),
        (
            "twinning.monitoring.services.results",
            "from ...planning.models import Plan\nfrom ...exchanges import x",
        ),
    ],
)
def test_an_import_from_a_higher_layer_or_a_sibling_is_reported(module, source):
    assert len(violations({module: source})) == 1


@pytest.mark.parametrize(
    "module, source",
    [
        ("twinning.partnerships.views", "from twinning.directory.models import Institution"),
        ("twinning.monitoring.services", "from twinning.planning.models import Plan"),
        ("twinning.matching.demo", "from twinning.demo.plan import demo_uuid"),
        ("twinning.urls", "from twinning.api import api"),
        (
            "twinning.core.views",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from twinning.accounts.models import User",
        ),
    ],
)
def test_imports_down_the_layers_and_type_checking_imports_pass(module, source):
    assert violations({module: source}) == []
