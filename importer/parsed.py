"""What parsing an export gives: plain dataclasses, each piece with the line it came from, and the
error naming ``file:line`` (importer/parser.py makes them; the loader writes them with the ORM)."""

import datetime
from dataclasses import dataclass, field


class ExportError(Exception):
    """Bad input, named by file and line: ``exports/a.txt:3: unreadable date “Aprl 3”``."""

    def __init__(self, source, line, message):
        self.source, self.line, self.message = source, line, message
        super().__init__(f"{source}:{line}: {message}")


@dataclass(frozen=True)
class Paragraph:
    line: int
    text: str


@dataclass
class Quote:
    line: int
    paragraphs: list[str]
    expert_name: str
    expert_title: str

    @property
    def text(self):
        """Stored as ExpertQuote.text wants it: no outer quotation marks, blank line between paragraphs."""
        return "\n\n".join(self.paragraphs)


@dataclass
class Section:
    line: int
    heading: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(frozen=True)
class Link:
    line: int
    title: str
    byline: str


@dataclass
class ParsedBrief:
    source: str
    header_line: int
    date: datetime.date
    type_name: str
    title_line: int
    title: str
    developments: list[Paragraph] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    issues_line: int | None = None
    issues_text: str = ""
