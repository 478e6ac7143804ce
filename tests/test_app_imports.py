"""One home per concern (#21): no import circle between the project's apps, and no app module past
400 lines. Both checks read the source with ``ast`` (nothing is imported); each is first shown to find
a planted offence, so it cannot pass by finding nothing.

An app is a top-level package of the project (a folder with ``__init__.py``) other than tests, bench
and scripts; its migrations are left out (they import what their fields were). Every import counts,
at module level or inside a function: a lazy import is still a dependency. The layering the graph
must keep is in docs/design.md ("A map of the apps").
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_APPS = {"tests", "bench", "scripts"}
MAX_LINES = 400


def project_apps(root=ROOT):
    return sorted(
        path.name
        for path in root.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_APPS
    )


def app_modules(root=ROOT):
    """``(app, path)`` for every module of every app, migrations left out."""
    for app in project_apps(root):
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                yield app, path


def imported_apps(source, apps, filename="<source>"):
    """``(app, line)`` for each import in ``source`` of a module of one of ``apps``, wherever the
    import statement is (module level, a function, a class). Relative imports stay in their app."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in apps]
    return found


def import_graph(modules, apps):
    """``{app: {imported app: ["file:line", ...]}}`` from ``modules``: ``(app, filename, source)``."""
    graph = defaultdict(lambda: defaultdict(list))
    for app, filename, source in modules:
        for imported, line in imported_apps(source, apps, filename):
            if imported != app:
                graph[app][imported].append(f"{filename}:{line}")
    return graph


def circles(graph):
    """The import circles between apps: for each import between two apps that import each other,
    directly or not (a strongly connected component), the shortest circle through it, as
    ``[(app, next app, "file:line"), ...]`` starting at its first app by name; each circle once."""
    found = {}
    for component in _components(graph):
        for app in sorted(component):
            for other in sorted(graph[app]):
                if other in component:
                    circle = [(app, other, graph[app][other][0]), *_shortest_way(graph, component, other, app)]
                    first = min(range(len(circle)), key=lambda i: circle[i][0])
                    circle = circle[first:] + circle[:first]
                    found.setdefault(tuple((a, b) for a, b, _where in circle), circle)
    return [found[key] for key in sorted(found)]


def _components(graph):
    """Groups of more than one app that reach each other (Tarjan's strongly connected components)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []

    def visit(app):  # a dozen apps: recursion is fine
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for other in graph.get(app, {}):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in on_stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == app:
                    break
            if len(component) > 1:
                components.append(component)

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return components


def _shortest_way(graph, component, start, end):
    """The steps of a shortest way from ``start`` to ``end`` inside ``component`` (none if equal)."""
    paths, queue = {start: []}, [start]
    while queue and end not in paths:
        app = queue.pop(0)
        for other in sorted(graph[app]):
            if other in component and other not in paths:
                paths[other] = [*paths[app], (app, other, graph[app][other][0])]
                queue.append(other)
    return paths[end]


def describe(circle):
    return " -> ".join(f"{app} ({where})" for app, _other, where in circle) + f" -> {circle[0][0]}"


def long_modules(modules, limit=MAX_LINES):
    """``"file: N lines"`` for each of ``modules`` (``(filename, source)``) past ``limit`` lines."""
    return [f"{filename}: {count} lines" for filename, source in modules if (count := len(source.splitlines())) > limit]


def read_project():
    return [(app, str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")) for app, path in app_modules()]


# -- the checks find what they look for -----------------------------------------------------------


def test_the_circle_check_finds_a_planted_circle_through_a_lazy_import():
    apps = {"low", "middle", "high"}
    modules = [
        ("low", "low/models.py", "from django.db import models\n"),
        ("middle", "middle/views.py", "import low.models\nfrom . import helpers\n"),
        # A function-level import is a dependency too: high -> middle -> high.
        ("high", "high/feeds.py", "from middle.views import View\n"),
        ("middle", "middle/signals.py", "def handler():\n    from high.feeds import Feed\n"),
    ]
    graph = import_graph(modules, apps)
    found = circles(graph)
    assert len(found) == 1
    assert describe(found[0]) == "high (high/feeds.py:1) -> middle (middle/signals.py:2) -> high"


def test_the_circle_check_names_each_circle():
    apps = {"a", "b", "c", "d"}
    modules = [
        ("a", "a/x.py", "import b.y\n"),
        ("b", "b/y.py", "from a import x\n"),
        ("c", "c/z.py", "import d\nimport a\n"),
        ("d", "d/w.py", "from c.z import thing\n"),
    ]
    found = [describe(circle) for circle in circles(import_graph(modules, apps))]
    assert found == ["a (a/x.py:1) -> b (b/y.py:1) -> a", "c (c/z.py:1) -> d (d/w.py:1) -> c"]


def test_the_circle_check_passes_a_layered_graph():
    apps = {"core", "content", "pages"}
    modules = [
        ("content", "content/models.py", "from core.text import clean\n"),
        ("pages", "pages/views.py", "from content.models import Item\nfrom core import text\n"),
    ]
    assert circles(import_graph(modules, apps)) == []


def test_the_length_check_finds_a_planted_long_module():
    modules = [("ok.py", "x = 1\n" * MAX_LINES), ("long.py", "x = 1\n" * (MAX_LINES + 1))]
    assert long_modules(modules) == [f"long.py: {MAX_LINES + 1} lines"]


def test_the_project_has_apps_to_check():
    assert {"core", "serving", "issues", "experts", "briefs", "search", "listings"} <= set(project_apps())


# -- the project ------------------------------------------------------------------------------------


def test_no_import_circle_between_apps():
    apps = set(project_apps())
    found = circles(import_graph(read_project(), apps))
    assert not found, "import circles between apps:\n" + "\n".join(describe(circle) for circle in found)


def test_no_app_module_over_400_lines():
    found = long_modules((filename, source) for _app, filename, source in read_project())
    assert not found, f"app modules over {MAX_LINES} lines (split them by concern):\n" + "\n".join(found)
