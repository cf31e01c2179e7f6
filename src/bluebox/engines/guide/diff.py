"""What changes from one version of the rules to the next: the diff a commander approves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bluebox.engines.guide.rules import Rule, RuleSet


@dataclass(frozen=True)
class Change:
    """One difference. ``kind`` is added, removed or changed; ``subject`` says what."""

    kind: str
    subject: str  # "rule", "document", "set"
    key: str
    fields: tuple[str, ...] = ()
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


_RULE_FIELDS = (
    "actions",
    "effect",
    "legal_basis",
    "when",
    "title",
    "conditions",
    "steps",
    "limits",
    "cite",
    "custody",
    "hand_to_military",
)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _rule(rule: Rule) -> dict[str, Any]:
    return {f: _plain(getattr(rule, f)) for f in _RULE_FIELDS}


def diff(before: RuleSet | None, after: RuleSet) -> list[Change]:
    """Every difference between ``before`` (``None``: the first version) and ``after``."""
    changes: list[Change] = []
    old_set = _plain(before) if before else {}
    new_set = _plain(after)
    set_fields = ("valid_from", "valid_until", "authority", "basis", "custody", "languages")
    changed = tuple(f for f in set_fields if old_set.get(f) != new_set[f])
    if changed:
        changes.append(
            Change(
                "changed" if before else "added",
                "set",
                after.version,
                changed,
                {f: old_set.get(f) for f in changed} if before else None,
                {f: new_set[f] for f in changed},
            )
        )
    old_docs = before.documents if before else {}
    for key, doc in after.documents.items():
        if key not in old_docs:
            changes.append(Change("added", "document", key, after=_plain(doc)))
        elif old_docs[key] != doc:
            changes.append(
                Change("changed", "document", key, before=_plain(old_docs[key]), after=_plain(doc))
            )
    for key, doc in old_docs.items():
        if key not in after.documents:
            changes.append(Change("removed", "document", key, before=_plain(doc)))
    old_rules = {r.key: r for r in before.rules} if before else {}
    new_rules = {r.key: r for r in after.rules}
    for key, rule in new_rules.items():
        if key not in old_rules:
            changes.append(Change("added", "rule", key, after=_rule(rule)))
            continue
        a, b = _rule(old_rules[key]), _rule(rule)
        fields = tuple(f for f in _RULE_FIELDS if a[f] != b[f])
        if fields:
            changes.append(
                Change(
                    "changed",
                    "rule",
                    key,
                    fields,
                    {f: a[f] for f in fields},
                    {f: b[f] for f in fields},
                )
            )
    for key, rule in old_rules.items():
        if key not in new_rules:
            changes.append(Change("removed", "rule", key, before=_rule(rule)))
    return changes
