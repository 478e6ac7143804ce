"""Bad exports: a clear message naming file and line, a non-zero exit, never a traceback, nothing written."""

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError
from django.db import IntegrityError

from briefs.models import Brief, RelatedLink
from tests.import_helpers import BAD, RED_SEA, ROOT, counts, run, taxonomy  # noqa: F401 (a fixture)

# Every test runs with the taxonomy the exports name, as an editor would have set it up.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]


BAD_FILES = [
    ("empty.txt", 1, "empty file"),
    ("no-header.txt", 1, "no “DATE | TYPE” header"),
    ("no-title.txt", 3, "no title"),
    ("unreadable-date.txt", 1, "unreadable date “Juneteenth-ish 2025”"),
    ("unknown-issue.txt", 11, "unknown issue “Quantum Widgets”"),
    ("quote-without-attribution.txt", 11, "quote without attribution"),
    ("not-utf8.txt", 7, "not UTF-8"),
]


@pytest.mark.parametrize(("name", "line", "message"), BAD_FILES)
def test_bad_input_names_file_and_line_and_writes_nothing(name, line, message):
    before = counts()
    with pytest.raises(CommandError) as caught:
        # A good file first: it must not be written either.
        run(RED_SEA, BAD / name)
    assert f"{BAD / name}:{line}: {message}" in str(caught.value)
    assert "Nothing was imported." in str(caught.value)
    assert counts() == before


def test_every_bad_file_is_reported_at_once():
    with pytest.raises(CommandError) as caught:
        run(BAD)
    for name, line, _ in BAD_FILES:
        if name != "unknown-issue.txt":  # issues are checked once every file parses
            assert f"{BAD / name}:{line}: " in str(caught.value)


def test_a_database_refusal_is_a_message_and_rolls_back(monkeypatch):
    def refuse(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: briefs_relatedlink.id")

    monkeypatch.setattr(RelatedLink.objects, "bulk_create", refuse)
    before = counts()
    with pytest.raises(CommandError, match=r"analysis-2025-03-10-red-sea\.txt:3: cannot save this brief: UNIQUE"):
        run(RED_SEA)
    assert counts() == before


def test_an_over_long_title_is_a_message(tmp_path):
    export = tmp_path / "long.txt"
    export.write_text(f"June 2, 2025 | Flash Brief\n\n{'Long title ' * 30}\n\nLatest Developments\n\nText.\n")
    with pytest.raises(CommandError, match=r"long\.txt:3: cannot save this brief: .*255 characters"):
        run(export)
    assert Brief.objects.count() == 0


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(CommandError, match="nowhere.txt: no such file or folder"):
        run(tmp_path / "nowhere.txt")
    with pytest.raises(CommandError, match="no .txt exports found"):
        run(tmp_path)


def test_bom_and_crlf_import_like_the_plain_file(tmp_path):
    export = tmp_path / "windows.txt"
    export.write_bytes(b"\xef\xbb\xbf" + RED_SEA.read_bytes().replace(b"\n", b"\r\n"))
    run(export)
    assert "unchanged" in run(RED_SEA)  # the same brief, the same content


def test_command_line_exit_status_and_no_traceback():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_briefs", str(BAD / "no-header.txt")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "1"},
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{BAD / 'no-header.txt'}:1: no “DATE | TYPE” header" in result.stderr


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"April 24, 2024 | Flash Brief\nNul\x00 title\nLatest Developments\nx.\n", 2, "control character U+0000"),
        (b"April 24, 2024 | Flash Brief\r\nT\r\nLatest Developments\r\nA\x1b[31m.\n", 4, "control character U+001B"),
        (
            "April 24, 2024 | Flash Brief\nT\nExpert Analysis\n\n\u201c\u201d Jane Doe, Analyst\n".encode(),
            5,
            "empty quote attributed to Jane Doe",
        ),
    ],
    ids=["nul", "escape", "empty-quote"],
)
def test_odd_bytes_and_empty_quotes_are_named_by_line(tmp_path, content, line, message):
    export = tmp_path / "odd.txt"
    export.write_bytes(content)
    before = counts()
    with pytest.raises(CommandError) as caught:
        run(RED_SEA, export)
    assert f"{export}:{line}: {message}" in str(caught.value)
    assert counts() == before


@pytest.mark.parametrize(
    "content",
    [
        b"   \n\t\n \r\n",
        b"\xef\xbb\xbf",
        b"April 24, 2024 | Flash Brief\n",
        "\u201cSmart quotes\u201d in Windows-1252\n".encode("cp1252"),
        "April 24, 2024 | Flash Brief\nT\n".encode("utf-16"),
        bytes(range(256)) * 20,
    ],
    ids=["whitespace", "bom-only", "header-only", "cp1252", "utf16", "binary"],
)
def test_odd_files_are_messages_not_tracebacks(tmp_path, content):
    export = tmp_path / "odd.txt"
    export.write_bytes(content)
    before = counts()
    with pytest.raises(CommandError, match=rf"{export}:\d+: "):
        run(export)
    assert counts() == before
