"""The house's import rules: no circles between modules, and none hidden in a late import."""

import ast
from pathlib import Path

import crm

ROOT = Path(crm.__file__).parent


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports():
    """{module: [(imported crm module, is it imported at module level)]} for every module of crm/."""
    files = {_module_name(path): path for path in ROOT.rglob("*.py")}
    found = {}
    for name, path in files.items():
        found[name] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            found[name] += [(target, node.col_offset == 0) for target in targets if target in files]
    return found


def _is_own_submodule(package, target):
    # A blueprint package defines `bp`, then imports its view modules, which import `bp`: Python's
    # package pattern, not a circle between features.
    return target.startswith(package + ".")


def test_no_module_imports_a_crm_module_inside_a_function():
    # A late import hides a circle; only the application factory (crm/__init__.py) imports late.
    late = {
        (name, target)
        for name, targets in _imports().items()
        for target, top_level in targets
        if not top_level and name != "crm"
    }
    assert late == set()


def test_the_module_import_graph_has_no_circles():
    graph = {
        name: {target for target, top_level in targets if top_level and not _is_own_submodule(name, target)} - {name}
        for name, targets in _imports().items()
    }
    finished, path, circles = set(), [], []

    def visit(name):
        if name in path:
            circles.append([*path[path.index(name) :], name])
            return
        if name in finished:
            return
        path.append(name)
        for target in sorted(graph[name]):
            visit(target)
        path.pop()
        finished.add(name)

    for name in sorted(graph):
        visit(name)
    assert circles == []


def test_only_payments_talks_to_the_gateway_and_never_from_a_view():
    # Other features and every view see UserErrors (PaymentsUnavailable, DonationError), never a gateway error.
    talking = {name for name, targets in _imports().items() if ("crm.payments.gateway", True) in targets}
    assert talking and all(name.startswith("crm.payments.") for name in talking), sorted(talking)
    assert not any(name.startswith("crm.payments.views") for name in talking), sorted(talking)
