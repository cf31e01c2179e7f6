/* bluebox field guide, offline: the answer a kept rule set gives to one situation.
 *
 * The same decision as the server's engine (bluebox.engines.guide.answer): a forbidding rule
 * whose facts all hold decides no; otherwise the first allowing rule whose facts all hold is
 * the authority, yes; otherwise no, with what each allowing rule would need, or the set's
 * basis when nothing allows the action at all. A fact not given (null) never satisfies a rule.
 * tests/browser/test_guide_offline.py checks that both give the same answers.
 */
(function (global) {
  "use strict";
  const THREATS = ["none", "unarmed", "armed", "heavy"];
  const LISTS = ["site_kind", "phase", "tier"];

  function fact(situation, key) {
    if (key === "national_police_able") {
      const p = situation.national_police_present, o = situation.national_police_operational;
      if (p === false || o === false) return false;
      if (p == null || o == null) return null;
      return true;
    }
    const v = situation[key];
    return v === undefined ? null : v;
  }
  function check(key, expected, situation) {
    if (key === "threat_at_least" || key === "threat_at_most") {
      const actual = situation.threat == null ? null : situation.threat;
      if (actual === null) return { fact: key, expected, actual, holds: false };
      const rank = THREATS.indexOf(actual), bound = THREATS.indexOf(expected);
      return { fact: key, expected, actual, holds: key === "threat_at_least" ? rank >= bound : rank <= bound };
    }
    const actual = fact(situation, key);
    const holds = actual !== null && (LISTS.includes(key) ? expected.includes(actual) : actual === expected);
    return { fact: key, expected, actual, holds };
  }
  function apply(rule, situation) {
    const checks = Object.entries(rule.when).map(([k, v]) => check(k, v, situation));
    return { rule, checks, holds: checks.every((c) => c.holds), unmet: checks.filter((c) => !c.holds) };
  }
  function citations(applied) {
    const out = [];
    for (const a of applied) for (const c of a.rule.cite) if (!out.some((o) => o.key === c.key)) out.push(c);
    return out;
  }
  function inForce(rules, on) {
    return rules.valid_from <= on && (rules.valid_until === null || on <= rules.valid_until);
  }

  /* The answer of `rules` (one mission of the bundle) to `situation` ({action, on: "YYYY-MM-DD",
   * facts...}); null when the rules are not in force that day. */
  function answer(rules, situation) {
    if (!inForce(rules, situation.on)) return null;
    const applied = rules.rules.filter((r) => r.actions.includes(situation.action)).map((r) => apply(r, situation));
    const forbidding = applied.filter((a) => a.rule.effect === "forbid" && a.holds);
    if (forbidding.length) {
      return { allowed: false, decisive: forbidding, also: [], near: [], citations: citations(forbidding), custody: null,
        hand_to_military: forbidding.some((a) => a.rule.hand_to_military), no_authority: false };
    }
    const allowing = applied.filter((a) => a.rule.effect === "allow");
    const holding = allowing.filter((a) => a.holds);
    if (holding.length) {
      const authority = holding[0];
      return { allowed: true, decisive: [authority], also: holding.slice(1), near: [], citations: citations(holding),
        custody: situation.action === "detain" ? (authority.rule.custody || rules.custody) : null,
        hand_to_military: false, no_authority: false };
    }
    const cited = citations(allowing);
    return { allowed: false, decisive: [], also: [], near: allowing, citations: cited.length ? cited : [rules.basis],
      custody: null, hand_to_military: false, no_authority: !allowing.length };
  }

  /* The answer in words, as the server words it (bluebox.guide.explain.worded). */
  function worded(result, action, words) {
    const fill = (template, values) => template.replace(/%\((\w+)\)s/g, (m, k) => values[k]);
    const label = words.actions[action] || action;
    const found = (c) => {
      const f = words.found;
      if (c.actual === null) return f.unknown;
      if (c.fact === "national_police_able") return c.actual ? f.able : f.unable;
      if (typeof c.actual === "boolean") return c.actual ? f.yes : f.no;
      if (c.fact.startsWith("threat_")) return words.threats[c.actual] || c.actual;
      return (f[c.fact] || {})[c.actual] || c.actual;
    };
    const out = { allowed: result.allowed, reasons: [], conditions: [], steps: [], limits: [],
      titles: result.decisive.map((a) => a.rule.title), rule_keys: result.decisive.map((a) => a.rule.key),
      citations: result.citations.map((c) => c.text) };
    if (result.allowed) {
      const a = result.decisive[0];
      out.headline = fill(words.yes, { action: label });
      out.conditions = a.checks.map((c) => fill(words.holds, { fact: a.rule.needs[c.fact] })).concat(a.rule.conditions);
      out.steps = a.rule.steps.slice();
      out.limits = a.rule.limits.slice();
    } else if (result.decisive.length) {
      out.headline = fill(words.no, { action: label });
      for (const a of result.decisive) { out.reasons.push(a.rule.title); out.steps.push(...a.rule.steps); }
    } else if (result.no_authority) {
      out.headline = fill(words.none, { action: label });
      out.reasons.push(words.no_authority);
    } else {
      out.headline = fill(words.no, { action: label });
      for (const a of result.near) {
        const unmet = a.unmet.map((c) => fill(words.unmet, { needs: a.rule.needs[c.fact], found: found(c) })).join(" ");
        out.reasons.push(fill(words.near, { rule: a.rule.title, unmet }));
      }
    }
    if (result.hand_to_military) out.reasons.push(words.green_box);
    if (result.custody) {
      const n = (x) => String(Number(x));
      out.limits.push(fill(words.clock, { target: n(result.custody.handover_target_hours), limit: n(result.custody.hard_limit_hours) }));
    }
    return out;
  }

  global.blueboxGuide = { answer, worded, inForce };
})(window);
