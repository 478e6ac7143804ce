"""Split the issue names an export runs together on one line, against the known taxonomy."""

import re

from .parser import ExportError, excerpt


def split_issues(text, known_names, *, source, line):
    """Split issue names run together on one line, longest known name first.

    ``known_names`` are the taxonomy's names; matching ignores case but a name must end at a space
    or the end of the line. Returns the known names as spelt in the taxonomy, in order, once each.
    Text that matches no issue raises ExportError quoting it.
    """
    names = sorted({n for n in known_names if n.strip()}, key=lambda n: (-len(n), n))
    folded = [(" ".join(n.split()).casefold(), n) for n in names]
    words = text.split()
    rest = " ".join(words)
    found = []
    while rest:
        low = rest.casefold()
        for key, name in folded:
            if low.startswith(key) and (len(low) == len(key) or low[len(key)] == " "):
                if name not in found:
                    found.append(name)
                rest = rest[len(key) :].lstrip()
                break
        else:
            unmatched = excerpt(_unmatched_part(rest, folded), 80)
            raise ExportError(
                source,
                line,
                f"unknown issue “{unmatched}”: create it in the admin or pass --issue NAME",
            )
    return found


def _unmatched_part(rest, folded):
    """The words before the next place a known issue name starts (the part to complain about)."""
    low = rest.casefold()
    for match in re.finditer(r" ", low):
        tail = low[match.end() :]
        if any(tail.startswith(key) and (len(tail) == len(key) or tail[len(key)] == " ") for key, _ in folded):
            return rest[: match.start()]
    return rest
