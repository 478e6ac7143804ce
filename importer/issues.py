"""Split the issue names an export runs together on one line, against the known taxonomy."""

from .parser import ExportError, excerpt


def split_issues(text, known_names, *, source, line):
    """Split issue names run together on one line, longest known name first.

    ``known_names`` are the taxonomy's names; matching ignores case but a name must end at a space
    or the end of the line. Returns the known names as spelt in the taxonomy, in order, once each.
    Text that matches no issue raises ExportError quoting it.

    Walks the line once with a position (no slicing of what is left: 100,000 names on one line
    take well under a second).
    """
    names = sorted({n for n in known_names if n.strip()}, key=lambda n: (-len(n), n))
    folded = [(_fold(" ".join(n.split())), n) for n in names]
    original = " ".join(text.split())
    low = _fold(original)
    found, seen, position = [], set(), 0
    while position < len(low):
        name = _name_at(low, position, folded)
        if name is None:
            unmatched = excerpt(_unmatched_part(low, original, position, folded), 80)
            raise ExportError(
                source,
                line,
                f"unknown issue “{unmatched}”: create it in the admin or pass --issue NAME",
            )
        key, spelt = name
        if spelt not in seen:
            seen.add(spelt)
            found.append(spelt)
        position += len(key)
        if position < len(low) and low[position] == " ":
            position += 1
    return found


def _fold(text):
    """Case-folded character by character, keeping the length (``ß`` stays one character), so a
    position in the folded line is the same position in the original."""
    return "".join(c.casefold() if len(c.casefold()) == 1 else c.lower() if len(c.lower()) == 1 else c for c in text)


def _name_at(low, position, folded):
    """The longest known name starting at ``position`` and ending at a space or the end, or None."""
    for key, name in folded:
        end = position + len(key)
        if low.startswith(key, position) and (end == len(low) or low[end] == " "):
            return key, name
    return None


def _unmatched_part(low, original, position, folded):
    """The words from ``position`` to the next place a known issue name starts (the part to complain about)."""
    space = low.find(" ", position)
    while space != -1:
        if _name_at(low, space + 1, folded) is not None:
            return original[position:space]
        space = low.find(" ", space + 1)
    return original[position:]
