"""Field guide: rules as data and the answers they give ("may I act here, and how?").

See :mod:`bluebox.engines.guide.rules` (the document), :mod:`bluebox.engines.guide.answer`
(the selector) and :mod:`bluebox.engines.guide.diff` (what a new version changes).
"""

from bluebox.engines.guide.answer import (
    Answer,
    Applied,
    Check,
    Primacy,
    Situation,
    answer,
    primacy,
    with_facts,
)
from bluebox.engines.guide.diff import Change, diff
from bluebox.engines.guide.rules import (
    ACTIONS,
    FORMAT,
    LEGAL_BASES,
    PHASES,
    SITE_KINDS,
    THREAT_LEVELS,
    TIERS,
    Citation,
    Custody,
    Document,
    Rule,
    RulesError,
    RuleSet,
    parse,
    text_in,
)

__all__ = [
    "ACTIONS",
    "FORMAT",
    "LEGAL_BASES",
    "PHASES",
    "SITE_KINDS",
    "THREAT_LEVELS",
    "TIERS",
    "Answer",
    "Applied",
    "Change",
    "Check",
    "Citation",
    "Custody",
    "Document",
    "Primacy",
    "Rule",
    "RuleSet",
    "RulesError",
    "Situation",
    "answer",
    "diff",
    "parse",
    "primacy",
    "text_in",
    "with_facts",
]
