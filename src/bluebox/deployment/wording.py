"""A deployment plan in words: who is where, and why, for the people who approve it.

The solver speaks in ids (``pcc-DRV``, ``ipo-17``, ``caveat:pcc-BLM:kind:poc_site``) and shares
(``0.7316``); this module turns a stored plan (its problem document, board and names) into
sentences and groups a reader can check: units and officers grouped by country, gender, skill
and language; coverage against need; the caveats and rules that bind; what-if changes named in
words. It reads only the plan (already authorized by the page) and writes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bluebox.core import labels
from bluebox.deployment.models import Caveat

#: How many what-if changes the plan page offers (the sweep's best first).
TOP_CHANGES = 8
#: A site under this share of its need is "short" in the plan's summary.
SHORT = 0.8


def _and(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _site_names(names: dict[str, str], codes: list[str]) -> list[str]:
    return [names.get(c, labels.label(c, "site")) for c in codes]


def caveat_sentence(kind: str, parameters: dict[str, Any] | None, names: dict[str, str]) -> str:
    """A caveat in a sentence: "No deployment to Korrin IDP camp and Mabe market"."""
    p = parameters or {}
    days = int(p.get("delay_days") or 0)
    sentences = {
        "excluded_sites": lambda: (
            _("No deployment to %(sites)s")
            % {"sites": _and(_site_names(names, list(p.get("sites", []))))}
        ),
        "excluded_site_kinds": lambda: (
            _("No deployment to any %(kinds)s")
            % {"kinds": _and([labels.label(k, "site_kind") for k in p.get("site_kinds", [])])}
        ),
        "excluded_tasks": lambda: (
            _("Not to be used for %(tasks)s")
            % {"tasks": _and([labels.label(t, "task").lower() for t in p.get("tasks", [])])}
        ),
        "no_overnight_outside_base": lambda: _("No overnight stay outside a base"),
        "capital_approval": lambda: (
            ngettext(
                "Redeployment only with the capital's approval, which takes %(days)d day",
                "Redeployment only with the capital's approval, which takes %(days)d days",
                days,
            )
            % {"days": days}
            if days
            else _("Redeployment only with the capital's approval")
        ),
    }
    sentence = sentences.get(kind)
    return sentence() if sentence else labels.label(kind, "caveat")


def recorded_caveat_sentence(caveat: Caveat, site_names: dict[str, str]) -> str:
    """A caveat of the force register, who and what: "Officers from Senegal: No deployment to
    Korrin IDP camp." A site code no longer in the mission is shown as it is."""
    who = (
        _("%(unit)s (%(country)s)") % {"unit": caveat.unit.name, "country": caveat.country.name}
        if caveat.unit_id and caveat.unit is not None
        else _("Officers from %(country)s") % {"country": caveat.country.name}
    )
    parameters = dict(caveat.parameters or {})
    if caveat.kind == "capital_approval":
        parameters.setdefault("delay_days", caveat.country.capital_approval_delay_days)
    rule = caveat_sentence(caveat.kind, parameters, site_names)
    return _("%(who)s: %(rule)s.") % {"who": who, "rule": rule}


def _set_country(set_id: str, problem: dict[str, Any], names: dict[str, str]) -> str:
    for cs in problem.get("caveat_sets", []):
        if cs["id"] == set_id:
            code = cs.get("country", "")
            return names.get(f"country:{code}") or _country_from_set_name(names.get(set_id), code)
    return set_id


def _country_from_set_name(name: str | None, code: str) -> str:
    # Plans stored before country names were kept name a set "Belmora (national caveats)".
    if name and " (" in name:
        return name.split(" (")[0]
    return name or code


def unit_name(unit_id: str, problem: dict[str, Any], names: dict[str, str]) -> str:
    """An FPU or SPT by its name; an IPO group as "3 IPOs from Astoria (women, SGBV)"."""
    for c in problem.get("ipo_classes", []):
        if c["id"] == unit_id:
            return ipo_class_text(c, names)
    if unit_id == "NEW-FPU":
        return _("a standard reinforcement FPU")
    if unit_id == "NEW-IPO":
        return _("a block of 20 reinforcement IPOs")
    return names.get(unit_id, unit_id)


def ipo_class_text(c: dict[str, Any], names: dict[str, str], count: int | None = None) -> str:
    n = c["count"] if count is None else count
    country = names.get(f"country:{c['country']}", c["country"])
    who = _("women") if c.get("female") else _("men")
    skills = labels.joined(c.get("skills"), "skill") or _("no specialism")
    return ngettext(
        "%(n)d IPO from %(country)s (%(who)s; %(skills)s)",
        "%(n)d IPOs from %(country)s (%(who)s; %(skills)s)",
        n,
    ) % {"n": n, "country": country, "who": who, "skills": skills}


def change_text(kind: str, target: str, problem: dict[str, Any], names: dict[str, str]) -> str:
    """A what-if change in words, from its kind and target."""
    if kind == "lift_caveat":
        parts = target.split(":")
        set_id, item = (parts[1], parts[2:]) if len(parts) >= 3 else ("", parts)
        country = _set_country(set_id, problem, names)
        what = item[0] if item else ""
        arg = ":".join(item[1:])
        if what == "site":
            rule = caveat_sentence("excluded_sites", {"sites": [arg]}, names)
        elif what == "kind":
            rule = caveat_sentence("excluded_site_kinds", {"site_kinds": [arg]}, names)
        elif what == "task":
            rule = caveat_sentence("excluded_tasks", {"tasks": [arg]}, names)
        elif what == "no_overnight":
            rule = caveat_sentence("no_overnight_outside_base", {}, names)
        else:
            rule = caveat_sentence("capital_approval", {}, names)
        return _("Ask %(country)s to lift its caveat “%(rule)s”") % {
            "country": country,
            "rule": rule,
        }
    if kind == "allow_split":
        return _("Let %(unit)s split into platoons at other sites") % {
            "unit": unit_name(target, problem, names)
        }
    if kind == "add_unit":
        return _("Add %(unit)s") % {"unit": unit_name(target, problem, names)}
    if kind == "remove_unit":
        return _("Withdraw %(unit)s") % {"unit": unit_name(target, problem, names)}
    return target


def offered_changes(
    problem: dict[str, Any],
    names: dict[str, str],
    choices: dict[str, list[tuple[str, str]]],
    sweep: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """The handful of what-ifs worth trying: the sweep's best changes, else caveats and adds.

    Every possible removal is not offered (a removal only loses protection); withdrawing a unit
    stays possible through the API. When a sweep ranked the changes, the page offers its top
    ``TOP_CHANGES`` with the protection each gained.
    """
    allowed = {(k, t) for k, items in choices.items() for t, _text in items}
    out: list[dict[str, Any]] = []
    if sweep:
        ranked = sorted(
            (c for c in sweep.get("changes", []) if c.get("delta") is not None),
            key=lambda c: -c["delta"],
        )
        for c in ranked:
            kind, _sep, target = c["change"].partition(":")
            if (kind, target) not in allowed:
                continue
            out.append(
                {
                    "value": f"{kind}|{target}",
                    "text": change_text(kind, target, problem, names),
                    "delta": c["delta"],
                }
            )
            if len(out) >= TOP_CHANGES:
                break
        if out:
            return out
    for kind in ("lift_caveat", "allow_split", "add_unit"):
        for target, _text in choices.get(kind, []):
            out.append(
                {
                    "value": f"{kind}|{target}",
                    "text": change_text(kind, target, problem, names),
                    "delta": None,
                }
            )
    return out


def site_groups(plan_problem: dict[str, Any], row: dict[str, Any], names: dict[str, str]) -> dict:
    """One board row's units: FPUs and SPTs by name, IPOs grouped by country with their mix."""
    ipo_classes = {c["id"]: c for c in plan_problem.get("ipo_classes", [])}
    units, ipos = [], []
    for u in row.get("units", []):
        c = ipo_classes.get(u["id"])
        if c is None:
            units.append({"name": names.get(u["id"], u["name"]), "officers": u["officers"]})
        else:
            ipos.append((c, int(u["officers"])))
    by_country: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "women": 0, "skills": Counter(), "languages": set()}
    )
    skills: Counter[str] = Counter()
    languages: set[str] = set()
    for c, n in ipos:
        g = by_country[c["country"]]
        g["count"] += n
        g["women"] += n if c.get("female") else 0
        for s in c.get("skills") or []:
            g["skills"][s] += n
            skills[s] += n
        g["languages"] |= set(c.get("languages") or [])
        languages |= set(c.get("languages") or [])
    groups = []
    for code, g in sorted(by_country.items(), key=lambda kv: -kv[1]["count"]):
        groups.append(
            {
                "country": names.get(f"country:{code}", code),
                "count": g["count"],
                "women": g["women"],
                "skills": ", ".join(
                    f"{labels.label(s, 'skill')} {n}" for s, n in g["skills"].most_common()
                ),
                "languages": ", ".join(sorted(labels.language(x) for x in g["languages"])),
            }
        )
    total = sum(g["count"] for g in groups)
    return {
        "units": units,
        "ipo_groups": groups,
        "ipo_total": total,
        "ipo_women": sum(g["women"] for g in groups),
        "skills": ", ".join(f"{labels.label(s, 'skill')} {n}" for s, n in skills.most_common()),
        "languages": ", ".join(sorted(labels.language(x) for x in languages)),
    }


def _excluding(problem: dict[str, Any], site: dict[str, Any], names: dict[str, str]) -> list[str]:
    """Countries whose caveats keep them from a site."""
    out = []
    for cs in problem.get("caveat_sets", []):
        if site["id"] in cs.get("excluded_sites", []) or site["kind"] in cs.get(
            "excluded_site_kinds", []
        ):
            out.append(_set_country(cs["id"], problem, names))
    return sorted(set(out))


def _rules(problem: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """The caveats of each country and the mission's own rules, in sentences."""
    rules = []
    for cs in problem.get("caveat_sets", []):
        parts = []
        for key, kind, param in (
            ("excluded_sites", "excluded_sites", "sites"),
            ("excluded_site_kinds", "excluded_site_kinds", "site_kinds"),
            ("excluded_tasks", "excluded_tasks", "tasks"),
        ):
            if cs.get(key):
                parts.append(caveat_sentence(kind, {param: cs[key]}, names))
        if cs.get("no_overnight_outside_base"):
            parts.append(caveat_sentence("no_overnight_outside_base", {}, names))
        if cs.get("redeployment_approval_days") is not None:
            parts.append(
                caveat_sentence(
                    "capital_approval", {"delay_days": cs["redeployment_approval_days"]}, names
                )
            )
        if parts:
            rules.append({"who": _set_country(cs["id"], problem, names), "sentences": parts})
    days = int(problem.get("redeployment_days") or 0)
    if days:
        rules.append(
            {
                "who": _("Every unit"),
                "sentences": [
                    ngettext(
                        "A move between sites takes %(days)d day",
                        "A move between sites takes %(days)d days",
                        days,
                    )
                    % {"days": days}
                ],
            }
        )
    return rules


def _site_reasons(
    problem: dict[str, Any], site: dict[str, Any], row: dict[str, Any], names: dict[str, str]
) -> list[str]:
    """Why a site has what it has: what keeps units away, why a whole FPU stays."""
    fpus = {f["id"]: f for f in problem.get("fpus", [])}
    reasons: list[str] = []
    if float(row.get("coverage") or 0) < SHORT:
        if not site.get("fpu_base", True):
            reasons.append(
                _("an FPU cannot be based at this kind of site (%(kind)s), only its platoons")
                % {"kind": labels.label(site.get("kind", ""), "site_kind")}
            )
        barred = _excluding(problem, site, names)
        if barred:
            reasons.append(
                _("%(countries)s may not deploy here under their caveats")
                % {"countries": _and(barred)}
            )
        if fpus and not any(f.get("may_split") for f in fpus.values()):
            reasons.append(_("no FPU may split into platoons, so FPUs stay whole at bases"))
    crowded = float(row.get("officers") or 0) > 1.5 * float(row.get("need") or 0)
    for u in row.get("units", []):
        f = fpus.get(u["id"])
        if f is not None and crowded and not f.get("may_split"):
            reasons.append(
                _(
                    "%(unit)s (%(n)d officers) stays whole here: it may not split into "
                    "platoons, and this site is one where an FPU can be based"
                )
                % {"unit": names.get(u["id"], u["id"]), "n": u["officers"]}
            )
    return reasons


def explanations(plan: Any) -> dict[str, Any]:
    """The plan's story: a summary, each site's coverage against need, the rules that bind."""
    problem = plan.problem or {}
    names = plan.names or {}
    sites = {s["id"]: s for s in problem.get("sites", [])}
    rows = list(plan.board or [])
    per_site = []
    for r in rows:
        site = sites.get(r["site"], {"id": r["site"], "kind": r.get("kind", "")})
        share = float(r.get("coverage") or 0)
        reasons = _site_reasons(problem, site, r, names)
        per_site.append(
            {
                "site": r["site"],
                "name": r["name"],
                "kind": labels.label(r.get("kind", ""), "site_kind"),
                "sentence": _(
                    "%(officers)s of the %(need)s officers it needs on average (%(share)d %%)"
                )
                % {
                    "officers": f"{float(r.get('officers') or 0):.0f}",
                    "need": r.get("need"),
                    "share": round(100 * share),
                },
                "short": share < SHORT,
                "officers": round(float(r.get("officers") or 0)),
                "need": r.get("need"),
                "share": round(100 * share),
                "risk_rank": 0,
                "risk": float(r.get("risk") or 0),
                "reasons": reasons,
                **site_groups(problem, r, names),
                "qrf_ok": r.get("qrf_ok", True),
                "lat": r.get("lat"),
                "lon": r.get("lon"),
            }
        )
    for rank, s in enumerate(sorted(per_site, key=lambda s: -s["risk"]), start=1):
        s["risk_rank"] = rank
    short = [s for s in sorted(per_site, key=lambda s: -s["risk"]) if s["short"]]
    rules = _rules(problem, names)
    return {"sites": per_site, "short": short, "rules": rules}


def objective_text(objective: float | None) -> str:
    if objective is None:
        return ""
    return _("The plan covers %(share)d %% of the need, weighted by each site's risk.") % {
        "share": round(100 * objective)
    }


def proof_text(solution: dict[str, Any] | None) -> str:
    s = solution or {}
    gap = float(s.get("gap") or 0)
    if s.get("proven_optimal"):
        text = _("No better plan exists under these rules (proven by the solver).")
    else:
        text = _(
            "The best plan found in the time allowed; a better one could cover at most "
            "%(gap).1f %% more."
        ) % {"gap": 100 * gap}
    ratio = (s.get("greedy") or {}).get("ratio")
    if ratio:
        text += " " + _(
            "It protects %(better).1f %% more than placing units one by one where risk is highest."
        ) % {"better": 100 * (float(ratio) - 1)}
    return text
