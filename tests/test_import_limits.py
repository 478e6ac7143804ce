"""The importer's limits: parsing stays linear in the input (a megabyte on one line, 100,000 names on
an "Issues:" line take seconds, not minutes), files past a size cap are refused, and a link leading
out of the given folder is refused without printing anything of the file it points to.

The linear-time checks run in a child process with a deadline: a quadratic step would otherwise
keep the suite busy for minutes (the audit measured 12 s to 33 s for 60 KB lines) before failing.
"""

import os
import subprocess
import sys
import textwrap

import pytest
from django.core.management import CommandError

from briefs.models import Brief
from tests.import_helpers import RED_SEA, ROOT, counts, run, taxonomy  # noqa: F401 (a fixture)

MEGABYTE = 1024 * 1024
# Generous for a shared 2-core machine; every case below takes well under a second when linear.
DEADLINE_SECONDS = 20
HEAD = "April 24, 2024 | Flash Brief\nA Title\nLatest Developments\nSome text.\n"


def parse_within_deadline(code):
    """Run ``code`` (with the importer's functions imported) in a child process; its output."""
    program = textwrap.dedent(
        """
        from importer.parser import ExportError, parse_export
        from importer.issues import split_issues
        from importer.text import summarize
        MB = 1024 * 1024
        """
    ) + textwrap.dedent(code)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", program],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE_SECONDS,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"not done within {DEADLINE_SECONDS} s: parsing is not linear in the input")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


LONG_LINES = {
    # A header line with a long run of spaces and no bar (the audit: 12 s for 60 KB).
    "header": 'text = "a" + " " * MB + "b\\nTitle\\n"',
    # A quote's attribution whose title holds a long run of spaces (33 s for 60 KB).
    "quote attribution": 'text = HEAD + "Expert Analysis\\n“Quote.” Ann Smith, a" + " " * MB + "b“\\n"',
    "quote attribution after the comma": 'text = HEAD + "Expert Analysis\\n“Quote.” Ann Smith," + " " * MB + "“\\n"',
    "related reading": 'text = HEAD + "Heading\\nA paragraph.\\n" + "x,”" + " " * MB + "“\\n"',
    "many citations": 'text = HEAD + "Heading\\nA paragraph.\\n" + ",” x" * (MB // 4) + "\\n"',
    "one long paragraph": 'text = HEAD + "Ab cd. " * (MB // 7) + "\\n"',
}


@pytest.mark.parametrize("case", LONG_LINES, ids=list(LONG_LINES))
def test_a_megabyte_on_one_line_parses_in_seconds(case):
    parse = "try:\n    parse_export(text, source='x')\n    print('parsed')\nexcept ExportError as e:\n    print(e)\n"
    result = parse_within_deadline(f"HEAD = {HEAD!r}\n{LONG_LINES[case]}\n{parse}")
    # An answer either way (parsed, or a message naming the line), and never the megabyte back.
    assert result and len(result) < 500


def test_a_megabyte_paragraph_is_summarised_in_seconds():
    # The summary takes the first sentences of the first paragraph: every full stop is looked at.
    result = parse_within_deadline('print(len(summarize("Ab cd. " * (MB // 7))))')
    assert 0 < int(result) <= 600


def test_an_issues_line_of_100000_names_is_split_in_seconds():
    result = parse_within_deadline(
        """
        names = ["Iran", "Iran Global Threat Network", "Iraq", "Syria"]
        line = " ".join(["Iran Global Threat Network", "Iraq", "Iran", "Syria"] * 25_000)
        print(split_issues(line, names, source="x", line=40))
        try:
            split_issues(line + " Quantum Widgets", names, source="x", line=40)
        except ExportError as e:
            print(e)
        """
    )
    found, error = result.splitlines()
    assert found == "['Iran Global Threat Network', 'Iraq', 'Iran', 'Syria']"
    assert error == "x:40: unknown issue “Quantum Widgets”: create it in the admin or pass --issue NAME"


# -- size cap, links ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("taxonomy")
def test_a_file_past_the_size_cap_is_refused_before_parsing(tmp_path, settings):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:
        file.write(RED_SEA.read_bytes())
        file.truncate(100 * MEGABYTE)  # 100 MB (sparse on disk): the audit's file
    before = counts()
    with pytest.raises(CommandError) as caught:
        run(huge)
    assert f"{huge}:1: file too large (over {settings.IMPORT_MAX_BYTES:,} bytes" in str(caught.value)
    assert "IMPORT_MAX_BYTES" in str(caught.value)
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("taxonomy")
def test_the_size_cap_is_a_setting(tmp_path, settings):
    export = tmp_path / "red-sea.txt"
    export.write_bytes(RED_SEA.read_bytes())
    settings.IMPORT_MAX_BYTES = export.stat().st_size - 1
    with pytest.raises(CommandError, match="file too large"):
        run(export)
    settings.IMPORT_MAX_BYTES = export.stat().st_size
    assert "1 created" in run(export)


@pytest.mark.django_db
@pytest.mark.usefixtures("taxonomy")
def test_a_link_out_of_the_folder_is_refused_without_showing_its_content(tmp_path):
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:the first line of a private file\n")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "red-sea.txt").write_bytes(RED_SEA.read_bytes())
    (folder / "passwd.txt").symlink_to(secret)
    with pytest.raises(CommandError) as caught:
        run(folder)
    message = str(caught.value)
    assert f"{folder / 'passwd.txt'}: a link to a file outside {folder}; not read" in message
    assert "root:x" not in message and "private file" not in message
    assert Brief.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("taxonomy")
def test_a_link_within_the_folder_is_read(tmp_path):
    folder = tmp_path / "exports"
    (folder / "originals").mkdir(parents=True)
    (folder / "originals" / "red-sea.export").write_bytes(RED_SEA.read_bytes())
    (folder / "red-sea.txt").symlink_to(folder / "originals" / "red-sea.export")
    assert "1 created" in run(folder)
