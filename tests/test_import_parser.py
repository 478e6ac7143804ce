"""The export parser on its own: structure, typography and line numbers (no database)."""

import datetime
from pathlib import Path

import pytest

from importer.issues import split_issues
from importer.parser import ExportError, decode_export, parse_export, read_export
from importer.text import split_sentences, summarize

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
RED_SEA = EXPORTS / "analysis-2025-03-10-red-sea.txt"
NO_ANALYSIS = EXPORTS / "flash-brief-2025-02-03-procurement.txt"
NO_RELATED = EXPORTS / "policy-memo-2025-04-01-arms-control.txt"
NBSP = "\u00a0"


def test_header_title_and_repeated_header_block():
    brief = read_export(RED_SEA)
    assert brief.date == datetime.date(2025, 3, 10)
    assert brief.type_name == "Analysis"
    assert brief.title == "Houthi Strikes Push Red Sea Shipping Toward the Cape"
    # The repeated header block is not taken for content.
    assert brief.developments[0].text.startswith("A Houthi anti-ship missile")
    assert brief.developments[0].line == 11


def test_several_quotes_and_a_multi_paragraph_quote():
    quotes = read_export(RED_SEA).quotes
    assert [(q.expert_name, q.expert_title) for q in quotes] == [
        ("Dana Whitfield", "Senior Fellow at the Center on Maritime Security"),
        ("Omar Haddad", "Research Analyst"),
        ("Lena Park", "Director of the Sanctions Program"),
    ]
    multi = quotes[1]
    assert multi.line == 19
    assert len(multi.paragraphs) == 3
    # Outer quotation marks go (the page adds its own), the apostrophes stay.
    assert multi.paragraphs[0].startswith("The rerouting is not only")
    assert "Egypt’s canal revenue" in multi.paragraphs[0]
    assert multi.paragraphs[2].endswith("to keep it going.")
    assert multi.text.count("\n\n") == 2


def test_attribution_alone_on_the_next_line_is_accepted():
    quotes = read_export(NO_RELATED).quotes
    assert quotes[0].expert_name == "Lena Park"
    assert quotes[0].text.endswith("and how often.")
    assert quotes[1].expert_name == "Marcus Bell"


def test_headed_sections_and_related_reading_with_lost_opening_quotes():
    brief = read_export(RED_SEA)
    assert [(s.heading, len(s.paragraphs)) for s in brief.sections] == [
        ("Why Insurers Are Pricing in the Risk", 2),
        ("What Washington Can Do Next", 1),
    ]
    assert [(link.title, link.byline) for link in brief.links] == [
        ("Sanctions Target Houthi Procurement Network", "FDD Flash Brief"),
        ("Sea Lanes Under Fire: A Short History of Shipping Attacks", "by Dana Whitfield and Omar Haddad"),
        ("Who Pays for the Cape Route?", "Maritime Economics Review"),
    ]
    assert (
        brief.issues_text == "Yemen Yemen Humanitarian Crisis Houthis Maritime Security Sanctions and Illicit Finance"
    )
    assert brief.issues_line == 45


def test_no_expert_analysis_and_no_related_reading():
    no_analysis = read_export(NO_ANALYSIS)
    assert no_analysis.quotes == []
    assert [s.heading for s in no_analysis.sections] == ["How the Network Operated"]
    no_related = read_export(NO_RELATED)
    assert no_related.links == []
    assert no_related.issues_text == "Arms Control Nonproliferation"  # "Issues:" with names on the same line


def test_typography_is_kept():
    brief = read_export(RED_SEA)
    assert f"roughly{NBSP}ten days" in brief.developments[1].text
    assert "“until the security picture changes,”" in brief.developments[1].text
    assert f"0.7{NBSP}percent of a ship’s hull value" in brief.sections[0].paragraphs[0].text


def test_bom_and_crlf_are_fine():
    data = RED_SEA.read_bytes()
    converted = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    assert parse_export(decode_export(converted, source="x.txt"), source="x.txt") == parse_export(
        decode_export(data, source="x.txt"), source="x.txt"
    )


def test_seed_shape_headings_versus_related_reading():
    """The real export: a citation line without terminal punctuation is not a heading."""
    text = (
        "April 24, 2024 | Flash Brief\n\nA Title\n\nLatest Developments\n\nSomething happened.\n\n"
        "Background\n\nMore context here.\n\n"
        "Pentagon: Deadly Attack on U.S. Soldiers Facilitated by Iran,” FDD Flash Brief\n\nIssues:\n\nIran\n"
    )
    brief = parse_export(text, source="seed.txt")
    assert [s.heading for s in brief.sections] == ["Background"]
    assert brief.links[0].title == "Pentagon: Deadly Attack on U.S. Soldiers Facilitated by Iran"


def test_a_quoted_phrase_followed_by_a_comma_is_not_related_reading():
    text = (
        "April 24, 2024 | Flash Brief\n\nA Title\n\nLatest Developments\n\n"
        "Officials called it “a mistake,” according to the statement\n"
    )
    brief = parse_export(text, source="x.txt")
    assert brief.links == []
    assert brief.developments[0].text.startswith("Officials called it")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "empty file"),
        ("  \n\n \n", 1, "empty file"),
        ("Just a title\n\nLatest Developments\n", 1, "no “DATE | TYPE” header"),
        ("April 24, 2024 | Flash Brief\n\nLatest Developments\n\nText.\n", 3, "no title"),
        ("April 24, 2024 | Flash Brief\n", 1, "no title"),
        ("Aprol 44, 2024 | Flash Brief\n\nA Title\n", 1, "unreadable date “Aprol 44, 2024”"),
        (
            "April 24, 2024 | Flash Brief\n\nA Title\n\nExpert Analysis\n\n“Unattributed words.”\n",
            7,
            "quote without attribution",
        ),
    ],
)
def test_bad_input_names_the_line(text, line, message):
    with pytest.raises(ExportError) as caught:
        parse_export(text, source="in.txt")
    assert str(caught.value).startswith(f"in.txt:{line}: ")
    assert message in str(caught.value)


def test_non_utf8_names_the_line_of_the_bad_byte():
    with pytest.raises(ExportError, match=r"^in\.txt:3: not UTF-8"):
        decode_export("a\nb\nport\u2019s\n".encode("cp1252"), source="in.txt")


def test_issues_split_longest_name_first():
    known = ["Iran", "Iran Global Threat Network", "Iran-backed Terrorism", "Syria", "Military and Political Power"]
    text = "Iran Iran Global Threat Network Iran-backed Terrorism Military and Political Power Syria"
    assert split_issues(text, known, source="x", line=9) == [
        "Iran",
        "Iran Global Threat Network",
        "Iran-backed Terrorism",
        "Military and Political Power",
        "Syria",
    ]


def test_issues_match_whole_words_and_quote_unknown_text():
    with pytest.raises(ExportError) as caught:
        split_issues("Iranian Affairs Syria", ["Iran", "Syria"], source="x.txt", line=9)
    assert str(caught.value).startswith("x.txt:9: unknown issue “Iranian Affairs”")


def test_summary_is_the_first_sentences_within_the_limit():
    paragraph = "U.S. forces shot down two drones on April 22. It was the second attack in a day. " + "Long " * 80
    assert summarize(paragraph) == "U.S. forces shot down two drones on April 22. It was the second attack in a day."
    assert len(summarize("word " * 400)) <= 600
    assert split_sentences("Gen. Smith spoke. U.S. Forces left.") == ["Gen. Smith spoke.", "U.S. Forces left."]


def brief_from(body):
    return parse_export(f"April 24, 2024 | Flash Brief\n\nA Title\n\n{body}", source="x.txt")


def test_lost_opening_quote_with_attribution_is_a_quote():
    brief = brief_from("Expert Analysis\n\nDeterrence is a habit.” Jane Roe, Senior Fellow\n")
    assert [(q.text, q.expert_name, q.expert_title) for q in brief.quotes] == [
        ("Deterrence is a habit.", "Jane Roe", "Senior Fellow")
    ]


def test_an_introduction_under_expert_analysis_is_refused_not_merged_into_a_quote():
    with pytest.raises(ExportError, match=r"^x\.txt:7: quote without attribution: paragraphs under"):
        brief_from("Expert Analysis\n\nOur experts weighed in this morning.\n\n“Words.” Jane Roe, Senior Fellow\n")


def test_a_repeated_title_line_and_a_short_line_before_a_section_are_not_headings():
    brief = parse_export(
        "April 24, 2024 | Flash Brief\n\nA Title\n\nA Title\n\nLatest Developments\n\nShort dateline\n\n"
        "Expert Analysis\n\n“Words.” Jane Roe, Senior Fellow\n",
        source="x.txt",
    )
    assert brief.sections == []
    assert [p.text for p in brief.developments] == ["Short dateline"]


def test_over_long_related_title_is_refused_not_truncated():
    with pytest.raises(ExportError, match=r"^x\.txt:7: related-reading title too long \(300 characters"):
        brief_from(f"Latest Developments\n\n{'x' * 300},” by Someone\n")


def test_related_title_may_hold_paired_inner_quotes():
    brief = brief_from(
        "Latest Developments\n\nText.\n\n"
        "The “Axis of Resistance” After Gaza,” by Jane Roe\n\n"
        "“Why the “Red Line” Moved,” Policy Review\n"
    )
    assert [(link.title, link.byline) for link in brief.links] == [
        ("The “Axis of Resistance” After Gaza", "by Jane Roe"),
        ("Why the “Red Line” Moved", "Policy Review"),
    ]


def test_word_line_breaks_end_lines():
    """Text pasted from Word carries vertical tabs for manual line breaks: each starts a new line."""
    data = b"April 24, 2024 | Flash Brief\x0bA Title\x0bLatest Developments\x0bIt happened.\x0cMore.\n"
    brief = parse_export(decode_export(data, source="w.txt"), source="w.txt")
    assert brief.title == "A Title"
    assert [p.text for p in brief.developments] == ["It happened.", "More."]
