"""What kind of evidence an article rests on, and which topics it is about.

:func:`evidence_basis` reads an evidence note the way an editor would: a kind
of evidence counts only when the note says the article rests on it. A kind
named to rule it out ("rather than a meta-analysis"), one still to come
("calls for a systematic review that has not yet been done", "await
confirmation in randomized controlled trials") or one the note casts doubt
on ("a meta-analysis that has not been peer reviewed") does not. When no
kind is asserted the draft gets the most cautious basis and a TODO.

:func:`infer_topics` picks topics from the schema's vocabulary by keyword.
"""

from __future__ import annotations

import bisect
import re

from kb import schema

# How an evidence note names each kind of evidence. Labels come from the
# schema; these are the other ways articles say the same thing.
_EVIDENCE_CUES: dict[str, tuple[str, ...]] = {
    "meta-analysis": (r"meta-?analy[sz]\w*", r"pooled\s+analys\w+"),
    "systematic-review": (r"systematic(?:\s+literature)?\s+reviews?", r"cochrane\s+reviews?"),
    "rct": (
        r"randomi[sz]ed(?:,?\s+(?:double-blind(?:ed)?|placebo-controlled|controlled|blinded"
        r"|multi-?cent(?:er|re)))*\s+(?:clinical\s+)?(?:controlled\s+)?trials?",
        r"\bRCTs?\b",
        r"placebo-controlled\s+(?:clinical\s+)?trials?",
    ),
    "observational-study": (
        r"observational(?:\s+stud\w+|\s+data|\s+research)?",
        r"surveys?",
        r"cohort\s+stud\w+",
        r"case\s+(?:series|reports?)",
        r"case-control\s+stud\w+",
        r"registry\s+(?:stud\w+|data)",
        r"real-world\s+(?:data|evidence|stud\w+)",
        r"chart\s+reviews?",
    ),
    "clinical-guideline": (
        r"(?:clinical|practice|treatment)\s+guidelines?",
        r"guidelines?",
        r"guidance\s+from",
    ),
    "clinical-overview": (
        r"clinical\s+overviews?",
        r"(?:narrative\s+)?review\s+articles?",
        r"narrative\s+reviews?",
        r"overview(?:\s+articles?)?",
    ),
    "expert-opinion": (
        r"expert\s+(?:opinion|commentary|discussion|consensus|views?)",
        r"opinion\s+(?:pieces?|columns?|articles?|essays?)",
        r"personal\s+(?:experience|account|story|view)",
        r"(?:first-person|patient)\s+(?:account|story|stories)",
        r"commentar(?:y|ies)",
        r"editorials?",
        r"clinical\s+discussions?",
        r"perspective\s+pieces?",
        r"consensus\s+statements?",
        r"clinicians'?\s+(?:views|experience)",
    ),
}

# A clause ends at a full stop, a semicolon or a turn ("but", "while" ...):
# a negation in one clause says nothing about the next.
_CLAUSE = re.compile(
    r"[.;:!?()\u2014\u2013]|,\s+(?=(?:but|while|whereas|although|though|yet|however|and\s+so)\b)"
    r"|,\s+(?:so\s+far|to\s+date|for\s+now|at\s+present)|\b(?:but|whereas|however|although)\b|,",
    re.IGNORECASE,
)
# Before a kind, in its clause: it is ruled out, wished for or still to come.
_BEFORE = re.compile(
    r"\b(?:not|no|nor|neither|never|none|without|unlike|than|lacks?|lacking|absence\s+of"
    r"|rather\s+than|instead\s+of|in\s+place\s+of|yet\s+to|awaits?|awaiting|awaited|pending"
    r"|calls?\s+for|called\s+for|calling\s+for|need\s+for|needs?|needed|requires?|required|would"
    r"|should|could|future|planned|plans?\s+to|proposed|upcoming|ongoing|forthcoming|hopes?\s+to"
    r"|hoped|intends?\s+to|will|to\s+(?:run|conduct|do|carry\s+out|start|design)|before|until"
    r"|confirm(?:ed|ation)?\s+(?:in|by|with)|tested\s+in|protocol\s+for|registered|press\s+release"
    r"|preprint|unpublished|announced|questions?\s+about|doubts?\s+about|criticism\s+of|critique\s+of"
    r"|while|although|though|whereas|even\s+if|beyond)\b",
    re.IGNORECASE,
)
# After a kind, in its clause: it has not been done, or is in doubt.
_AFTER = re.compile(
    r"\b(?:(?:has|have|had|was|were|is|are)\s+(?:not|never)\b|not\s+(?:yet\s+)?(?:been\s+)?"
    r"(?:done|published|peer[\s-]*reviewed|completed|conducted|carried\s+out|started|run)"
    r"|yet\s+to\s+(?:be|come)|(?:is|are)\s+(?:still\s+)?(?:needed|planned|underway|ongoing|missing"
    r"|lacking|awaited|required|under\s+way|in\s+progress)|(?:would|will|could|should)\s+be"
    r"|unpublished|preprint|in\s+(?:mice|rats|animals|cells|the\s+lab)|is\s+expected|are\s+expected"
    r"|due\s+(?:out|later|next)|(?:has|have)\s+yet|retracted|withdrawn)\b",
    re.IGNORECASE,
)


def _evidence_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for key, basis in schema.EVIDENCE_BASES.items():
        label = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", basis.label.lower()))
        label = label.replace("randomised", "randomi[sz]ed")
        for cue in (label, *_EVIDENCE_CUES.get(key, ())):
            patterns.append((key, re.compile(cue, re.IGNORECASE)))
    return patterns


_PATTERNS = _evidence_patterns()


#: How far before and after a kind its clause is read for a negation or hedge.
_CONTEXT = 160


def _clause_around(note: str, cuts: list[int], start: int, end: int) -> tuple[str, str]:
    """The text of the match's clause before and after it (a bounded window)."""
    i = bisect.bisect_right(cuts, start)
    begin = max(cuts[i - 1] if i else 0, start - _CONTEXT)
    j = bisect.bisect_left(cuts, end)
    stop = min(cuts[j] if j < len(cuts) else len(note), end + _CONTEXT)
    return note[begin:start], note[end:stop]


def asserted_kinds(note: str) -> list[tuple[int, str]]:
    """Each kind of evidence the note says the article rests on, with its position."""
    cuts = sorted(
        {m.start() for m in _CLAUSE.finditer(note)} | {m.end() for m in _CLAUSE.finditer(note)}
    )
    found: dict[str, int] = {}
    for key, pattern in _PATTERNS:
        for match in pattern.finditer(note):
            before, after = _clause_around(note, cuts, match.start(), match.end())
            if _BEFORE.search(before) or _AFTER.search(after):
                continue
            found[key] = min(found.get(key, match.start()), match.start())
            break
    return sorted((pos, key) for key, pos in found.items())


def evidence_basis(note: str) -> str | None:
    """The kind of evidence an evidence note says the article rests on: the
    first one it asserts, or None when it asserts none."""
    kinds = asserted_kinds(note)
    return kinds[0][1] if kinds else None


# -- Topics ------------------------------------------------------------------------------

# Words that point to each topic, beyond the words of its label. Keys are the
# schema's topic slugs (a test checks that they match).
TOPIC_CUES: dict[str, tuple[str, ...]] = {
    "esketamine": ("esketamine", "spravato", "nasal spray", "intranasal"),
    "ketamine-treatment": ("low-dose ketamine", "infusion", "iv ketamine", "dosing", "dose"),
    "treatment-goals": ("remission", "response", "goal", "outcome", "recovery"),
    "access-and-cost": ("access", "insurance", "coverage", "cost", "rems", "certified", "rural"),
    "side-effects-and-safety": (
        "side effect",
        "dissociat",
        "blood pressure",
        "safety",
        "tolerab",
        "dizziness",
        "dependence",
        "monitoring",
    ),
    "maintenance": ("maintenance", "relapse", "sustain", "long-term", "booster"),
    "shared-decision-making": (
        "shared decision",
        "preference",
        "priorities",
        "ask your",
        "discuss",
    ),
    "suicidal-thoughts": ("suicid", "crisis"),
}
#: A topic is chosen when its cues occur at least once per this many words of
#: text (and at least twice): a passing mention does not make a topic.
WORDS_PER_TOPIC_HIT = 225
MAX_TOPICS = 6


def _topic_cues(slug: str) -> list[str]:
    """The topic's label, split at "and" and brackets, plus its extra cues."""
    label = schema.TOPICS[slug].label.lower()
    parts = re.split(r"\s+and\s+|[()]", label)
    return [p.strip() for p in parts if p.strip()] + list(TOPIC_CUES.get(slug, ()))


def infer_topics(text: str) -> tuple[list[str], dict[str, int]]:
    """Topics whose words the text uses most; the counts show why."""
    counts: dict[str, int] = {}
    for slug in schema.TOPICS:
        hits = 0
        for cue in _topic_cues(slug):
            hits += len(re.findall(rf"(?<![\w-]){re.escape(cue)}", text, re.IGNORECASE))
        counts[slug] = hits
    ranked = sorted((s for s in counts if counts[s]), key=lambda s: -counts[s])
    needed = max(2, len(text.split()) // WORDS_PER_TOPIC_HIT)
    chosen = [s for s in ranked if counts[s] >= needed][:MAX_TOPICS]
    if not chosen and ranked:
        chosen = ranked[:1]
    return chosen, counts
