"""Small typography helpers shared by the parser and the loader: quote marks, sentences, summaries."""

import re

QUOTE_OPEN = '“"'
QUOTE_CLOSE = '”"'
SUMMARY_MAX_CHARS = 600
# A summary of one or two sentences; a third only while it stays short.
SUMMARY_TARGET_CHARS = 300
# Words whose full stop does not end a sentence ("Gen. Smith", "U.S. forces", "Feb. 4").
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "sen", "rep", "gov",
    "pres", "st", "jr", "sr", "no", "vs", "etc", "inc", "co", "corp", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est",
}  # fmt: skip
SENTENCE_END_RE = re.compile(r"[.!?…][”’\"')\]]*(?=\s+[“‘\"(\[]?[A-Z0-9])")


def ends_a_sentence(text):
    """True when ``text`` contains a full stop that ends a sentence (so it is prose, not a name)."""
    return any(_is_sentence_end(text, m) for m in SENTENCE_END_RE.finditer(text))


def _is_sentence_end(text, match):
    if text[match.start()] != ".":
        return True
    word = _word_before(text, match.start())
    # Initials and acronyms ("U.S.", "J."), and known abbreviations, do not end sentences.
    if re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word):
        return False
    return word.casefold() not in ABBREVIATIONS


def _word_before(text, end):
    """The run of word characters and dots ending at ``end`` (a backwards walk: searching the text
    before ``end`` with a regular expression would cost its whole length at every full stop)."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    return text[start:end]


def split_sentences(text):
    """Split prose into sentences, keeping each sentence's own punctuation and quote marks."""
    sentences, start = [], 0
    for match in SENTENCE_END_RE.finditer(text):
        if _is_sentence_end(text, match):
            sentences.append(text[start : match.end()].strip())
            start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def summarize(paragraph):
    """Plain-text summary for cards and feeds: the paragraph's first sentence(s), at most 600 chars."""
    summary = ""
    for sentence in split_sentences(paragraph):
        candidate = f"{summary} {sentence}".strip()
        if summary and len(candidate) > SUMMARY_TARGET_CHARS:
            break
        summary = candidate
    if len(summary) > SUMMARY_MAX_CHARS:
        summary = summary[: SUMMARY_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return summary
