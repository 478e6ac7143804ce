"""The shape the code keeps (#21): tag names spelled in one module, and no reading of Django's
private attributes. Both checks read the project's own source with ``ast``; each is first shown to
find a planted offence, so it cannot pass by finding nothing."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "node_modules", "tests", "migrations", ".git", "staticfiles", "var"}
TAGS_MODULE = ROOT / "serving" / "tags.py"

# Documented API despite the underscore: Django's Model _meta API and default/base managers, and
# the named tuple's methods (Python's collections.namedtuple).
DOCUMENTED_UNDERSCORE = {"_meta", "_default_manager", "_base_manager", "_replace", "_asdict", "_fields", "_make"}
# Calls whose arguments are tags: a literal there is a tag spelled by hand.
TAG_TAKING = {
    "bump": "all",
    "depends_on": "all",
    "depends_on_all": "all",
    "remember": {1, "tags", "shows"},
    "cache_page": {"shows"},
    "keep": {"tags"},
    "KeyedItems": {"tags"},
    "kept_parts": {"tags"},
    "paginate_or_404": {"tags"},
    "ListingPaginator": {"tags"},
    "render": {"tags"},
}
TAG_PREFIXES = ("listing:",)
TAG_WORDS = {"site", "any", "lead-pictures", "search-facets"}


def project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED_DIRS.isdisjoint(path.relative_to(ROOT).parts[:-1]):
            yield path


def _name(func):
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


TAG_FUNCTIONS = {"item", "of", "body", "listing", "every", "items", "listings", "bodies"}


def _tag_functions_call(node):
    """A call of a serving.tags function (``t.item("brief", pk)``, ``every("issue")``): literals
    inside it name a label, not a tag."""
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Attribute):
        return _name(node.func.value) in {"t", "tags"}
    return _name(node.func) in TAG_FUNCTIONS


def _literals(node):
    """String literals in ``node``, not counting those inside calls of serving.tags functions."""
    if _tag_functions_call(node):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str) or isinstance(node, ast.JoinedStr):
        yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _literals(child)


def hand_built_tags(source, filename="<source>"):
    """(line, what) for each tag built outside serving/tags.py in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text.startswith(TAG_PREFIXES) or text in TAG_WORDS - {"site", "any"} or text.endswith("-body:"):
                found.append((node.lineno, repr(text)))
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            head = str(node.values[0].value)
            if head.startswith(TAG_PREFIXES) or head.endswith("-body:"):
                found.append((node.lineno, f"f-string {head!r}..."))
        if isinstance(node, ast.Call) and (wanted := TAG_TAKING.get(_name(node.func))):
            arguments = [(i, arg) for i, arg in enumerate(node.args)] + [(kw.arg, kw.value) for kw in node.keywords]
            for key, value in arguments:
                if wanted == "all" or key in wanted:
                    found += [(literal.lineno, f"literal tag in {_name(node.func)}()") for literal in _literals(value)]
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_tags"):
            for ret in (n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None):
                found += [
                    (literal.lineno, f"literal tag returned by {node.name}()") for literal in _literals(ret.value)
                ]
    return found


def test_the_tag_check_finds_a_tag_spelled_by_hand():
    planted = """
bump({f"listing:issue:{pk}"})
remember("count", {"briefs"}, compute)
cache_page(view, shows={"issues"})
def listing_tags(self):
    return {"briefs"}
bump({t.item("brief", 1)})  # fine: built by serving.tags
"""
    assert {line for line, _what in hand_built_tags(planted)} == {2, 3, 4, 6}


def test_tags_are_built_only_in_serving_tags():
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in project_modules()
        if path != TAGS_MODULE
        for line, what in hand_built_tags(path.read_text(), str(path))
    ]
    assert offences == [], "build tag names with serving.tags:\n" + "\n".join(offences)


def own_underscore_names(trees):
    """Underscore names the project defines itself (functions, classes, attributes it assigns)."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[0])
    return {name for name in names if name.startswith("_")}


def private_reads(trees_by_path, own):
    return [
        f"{path}:{node.lineno}: .{node.attr}"
        for path, tree in trees_by_path.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not (node.attr.startswith("__") and node.attr.endswith("__"))
        and node.attr not in own | DOCUMENTED_UNDERSCORE
    ]


def test_the_private_attribute_check_finds_one():
    planted = {"planted.py": ast.parse("queryset._result_cache\nbrief._state.fields_cache\nself._mine = 1\nself._mine")}
    found = private_reads(planted, own_underscore_names(planted.values()))
    assert found == ["planted.py:1: ._result_cache", "planted.py:2: ._state"]


def test_no_project_module_reads_a_django_private_attribute():
    trees = {str(path.relative_to(ROOT)): ast.parse(path.read_text(), str(path)) for path in project_modules()}
    assert private_reads(trees, own_underscore_names(trees.values())) == []
