"""Sentence templates the demo briefs are assembled from (see ``generate.py``).

Placeholders: {subject} (lower case), {Subject} (title case), {actor}, {Actor}, {a_measure},
{measure}, {Measure}, {the_event}, {Event}, {risk}, {lever}, {watch}, {context}, {weekday},
{institute}, {issue_url}, {issue_name}.
"""

# (type slug, title, summary): one brief per topic and pattern.
PATTERNS = [
    (
        "flash-brief",
        "{Subject}: What the New {Measure} Changes",
        "{Actor} announced {a_measure}. {institute} experts on what it changes for {subject}, "
        "and what it leaves untouched.",
    ),
    (
        "flash-brief",
        "{Subject} After the {Event}",
        "{The_event} showed that {risk}. Our experts assess the response so far.",
    ),
    (
        "analysis",
        "Five Questions About {Subject}",
        "What is changing in {subject}, who gains, and what should policymakers watch? "
        "Five questions, answered by {institute} experts.",
    ),
    (
        "analysis",
        "{Subject}: Three Trends to Watch",
        "Beyond the headlines, three slower trends are reshaping {subject}. Here is what they mean for policy.",
    ),
    (
        "analysis",
        "Rethinking {Subject}",
        "Current plans assume the best case. We look at what follows for {subject} when {risk}.",
    ),
    (
        "policy-memo",
        "A Policy Agenda for {Subject}",
        "Three steps officials could take this year to strengthen {subject}, at modest cost.",
    ),
]

# "Latest Developments": one opening sentence, one follow-up, then a paragraph of reaction.
OPENINGS = [
    "{Actor} announced {a_measure} on {weekday}, the most significant step on {subject} in several years.",
    "{Actor} this week unveiled {a_measure}, responding to mounting concern that {risk}.",
    "In a joint statement on {weekday}, {actor} committed to {a_measure}, although many details are "
    "still to be negotiated.",
]
FOLLOW_UPS = [
    "The move follows {the_event}, which exposed how thin existing safeguards had become.",
    "Officials said the first measures would take effect within six months.",
    "Participants described the plan as a first phase, with a review due next year.",
]
REACTIONS = [
    "Details remain sparse: no budget has been published, and it is not yet clear who will pay for {lever}.",
    "Industry groups welcomed the announcement but warned that putting it into practice could take two years or more.",
    "Several governments that were expected to join have not yet signed on, citing cost and sovereignty concerns.",
    "Critics say the plan does too little about {lever}, which they see as the real constraint.",
]

# "Expert Analysis": quote texts; a blank line starts a new paragraph.
QUOTES = [
    "The {measure} is a sensible first step, but it treats the symptom rather than the cause. Until someone "
    "is clearly responsible for {lever}, we will keep relearning the same lesson.",
    "What worries me most is that {risk}. That is not a worst case; it should already be a planning assumption.",
    "Watch {watch}. That will tell us whether this is a real shift or a well-written press release.",
    "Partners have asked for leadership on {subject} for years. This is a chance to provide it at modest "
    "cost, and we should take it.",
    "Nobody should mistake activity for resilience. The test is whether the system holds on a bad day, "
    "not whether it looks good on a good one.",
    "We keep treating {subject} as a technical niche. It is a strategic question, and budgets should start "
    "to reflect that.\n\nThe good news is that the fixes are known. What has been missing is the will to pay "
    "for them before a crisis rather than after one.",
]

# Sections after Expert Analysis: (heading, paragraphs HTML). "Recommendations" is built from the
# topic's own list.
SECTIONS = [
    (
        "Background",
        "<p>{context}</p><p>The debate over {subject} has intensified since {the_event}, but capacity on "
        "the ground has not kept pace with the rhetoric.</p>",
    ),
    (
        "Why It Matters",
        "<p>The core problem is simple: {risk}. Any serious policy has to start from that fact rather than "
        "from the best case.</p>",
    ),
    (
        "What to Watch",
        "<p>In the coming months, the most telling sign will be {watch}. A second indicator is whether "
        "{lever} gets a dedicated budget line.</p>",
    ),
    (
        "The Bigger Picture",
        "<p>The contest over {subject} is one part of a wider struggle over the infrastructure modern "
        "economies depend on. Decisions taken now will be hard to reverse in a decade. Read more of our "
        'work on <a href="{issue_url}" rel="noopener noreferrer">{issue_name}</a>.</p>',
    ),
]

EXTERNAL_TITLES = [
    "Mapping the Risks to {Subject}",
    "{Subject}: A Baseline Assessment",
    "Lessons From a Decade of {Subject}",
    "Options for Allied Cooperation on {Subject}",
]
CITATION_TITLES = [
    "The Political Economy of {Subject}",
    "Who Pays for Resilience? The Case of {Subject}",
    "{Subject} and the Limits of Voluntary Standards",
]
# Fictional authors and outlets for related reading.
OUTSIDE_AUTHORS = [
    "Alma Rosenthal", "Kofi Mensah-Barnes", "Yuki Tanabe", "Elias Marchetti", "Sofia Lindgren",
    "Marcus O'Hare", "Leila Haddad", "Jonah Whitfield", "Carmen Ibarra", "Viktor Sandqvist",
]  # fmt: skip
OUTSIDE_SITES = ["www.example.org", "research.example.com", "review.example.net"]
JOURNALS = [
    "Quarterly Review of Strategic Infrastructure",
    "Harbourline Policy Review",
    "Journal of Economic Security Studies",
    "Meridian Papers on Governance",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
