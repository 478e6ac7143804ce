"""docs/deploy.md's table of environment variables is complete: every variable the deploy-time
configuration reads (config/settings.py, deploy/gunicorn.conf.py) is in it, and it names nothing
they do not read.

The names are found in the modules' source with ``ast``: ``os.environ.get(NAME, ...)``,
``os.environ[NAME]``, ``os.getenv(NAME)``, ``NAME in os.environ``, calls of the module's own helpers
that read the environment (``env_bool(NAME)``, ``env_int(NAME, ...)``...), and
``dj_database_url.config()`` (``DATABASE_URL`` unless ``env=`` names another). Any other use of
``os.environ``, or a name that is not a literal string, fails: such a read could not be checked.
"""

import ast
import re

import dj_database_url
import pytest

from tests.conftest import ROOT

MODULES = ["config/settings.py", "deploy/gunicorn.conf.py"]
TABLE_HEADING = "## Settings (environment variables)"
# Read by the settings but set by tools, never by whoever deploys: not in the table.
NOT_FOR_DEPLOYERS = {
    "PYTEST_XDIST_WORKER": "pytest-xdist names each test worker; parallel test runs sharing one Redis keep apart",
}


def _is_os(node, attr):
    """``node`` is ``os.<attr>``."""
    is_os = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
    return is_os and node.attr == attr


def environment_reads(source):
    """The environment variables ``source`` reads, and the reads it makes that cannot be checked
    (described by line)."""
    tree = ast.parse(source)
    # Module-level functions reading the environment (env_bool and friends): their callers name the variable.
    helpers = {
        function.name: function.args.args[0].arg
        for function in tree.body
        if isinstance(function, ast.FunctionDef)
        and function.args.args
        and any(_is_os(node, "environ") or _is_os(node, "getenv") for node in ast.walk(function))
    }
    in_helpers = {
        id(node) for function in tree.body if getattr(function, "name", None) in helpers for node in ast.walk(function)
    }
    names, unchecked, understood = set(), [], set()

    def read(name, node):
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            names.add(name.value)
        else:
            unchecked.append(f"line {node.lineno}: {ast.unparse(node)}")

    for node in ast.walk(tree):
        if id(node) in in_helpers:
            continue
        if isinstance(node, ast.Call):
            func = node.func
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            if isinstance(func, ast.Attribute) and func.attr == "get" and _is_os(func.value, "environ"):
                understood.add(id(func.value))
                read(node.args[0] if node.args else None, node)
            elif _is_os(func, "getenv"):
                understood.add(id(func))
                read(node.args[0] if node.args else keywords.get("key"), node)
            elif isinstance(func, ast.Name) and func.id in helpers:
                read(node.args[0] if node.args else keywords.get(helpers[func.id]), node)
            elif (
                isinstance(func, ast.Attribute)
                and func.attr == "config"
                and isinstance(func.value, ast.Name)
                and func.value.id == "dj_database_url"
            ):
                read(keywords.get("env", ast.Constant(dj_database_url.DEFAULT_ENV)), node)
        elif isinstance(node, ast.Subscript) and _is_os(node.value, "environ"):
            understood.add(id(node.value))
            read(node.slice, node)
        elif (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn)
            and _is_os(node.comparators[0], "environ")
        ):
            understood.add(id(node.comparators[0]))
            read(node.left, node)
    followed = in_helpers | understood
    for node in ast.walk(tree):
        if id(node) not in followed and (_is_os(node, "environ") or _is_os(node, "getenv")):
            unchecked.append(f"line {node.lineno}: {ast.unparse(node)} used in a way this test cannot follow")
    return names, unchecked


def documented():
    """The variables named (in backquotes) in the first column of docs/deploy.md's settings table."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    assert TABLE_HEADING in text, f"docs/deploy.md has no {TABLE_HEADING!r} section"
    section = text.split(TABLE_HEADING, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def reads_of(module):
    return environment_reads((ROOT / module).read_text())


def test_the_scanner_finds_every_kind_of_read():
    source = """
import os
import dj_database_url
def env_flag(name, default=False):
    return os.environ.get(name, default)
A = os.environ.get("A", "x")
B = os.environ["B"]
C = os.getenv("C")
D = env_flag("D")
E = env_flag(name="E")
F = "F" in os.environ
G = dj_database_url.config()
H = dj_database_url.config(env="H")
I = os.environ.get(f"I_{A}")
J = dict(os.environ)
"""
    names, unchecked = environment_reads(source)
    assert names == {"A", "B", "C", "D", "E", "F", "DATABASE_URL", "H"}
    assert [line.split(":")[0] for line in unchecked] == ["line 14", "line 15"]


@pytest.mark.parametrize("module", MODULES)
def test_every_read_names_its_variable(module):
    names, unchecked = reads_of(module)
    assert not unchecked, f"{module}: name each variable with a literal string so it can be checked: {unchecked}"


def test_the_reads_are_found():
    """Guards against a scanner that finds nothing and so passes the tests below vacuously."""
    settings, _ = reads_of("config/settings.py")
    gunicorn, _ = reads_of("deploy/gunicorn.conf.py")
    assert {"SECRET_KEY", "DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "EMAIL_HOST", "ALERTS_BATCH"} <= settings
    assert len(settings) > 40
    assert {"WEB_CONCURRENCY", "GUNICORN_BIND", "FORWARDED_ALLOW_IPS"} <= gunicorn
    assert {"SECRET_KEY", "DATABASE_URL", "WEB_CONCURRENCY"} <= documented()


@pytest.mark.parametrize("module", MODULES)
def test_every_variable_read_is_in_the_deploy_table(module):
    names, _ = reads_of(module)
    missing = sorted(names - documented() - NOT_FOR_DEPLOYERS.keys())
    assert not missing, f"read by {module} but not in docs/deploy.md's table: {', '.join(missing)}"


def test_the_deploy_table_names_only_variables_read():
    read = set().union(*(reads_of(module)[0] for module in MODULES))
    assert not documented() - read, f"in docs/deploy.md's table but read by none of {MODULES}"
    assert NOT_FOR_DEPLOYERS.keys() <= read, "an exemption for a variable no longer read"
    assert not NOT_FOR_DEPLOYERS.keys() & documented(), "documented after all: drop it from NOT_FOR_DEPLOYERS"
