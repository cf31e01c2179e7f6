"""The greedy baseline every optimised plan is compared with.

It does what a planner with a spreadsheet would: place FPUs one by one (largest first, whole,
never split) where they add most protection, preferring bases that bring QRF cover to sites
still without it; then specialised teams where a site lacks their skill; then IPOs where a
site lacks a skill or language; then the remaining IPOs a few at a time wherever the next
officers add most protection. Caveats, capacity and women's share are respected as it goes;
the other requirements are met only if the order happens to allow it, and
:func:`~.plan.evaluate` reports what is left unmet.
"""

from __future__ import annotations

import numpy as np

from .coverage import (
    COVERAGE_SCALE,
    Unit,
    available_in,
    caveat_exclusions,
    coverage_lines,
    epochs,
    pending_in,
    same_mission,
    site_weight,
    unit_strength,
    unit_women,
    units,
)
from .plan import Assignment
from .problem import Problem, qrf_reach

CHUNK = 5


class _State:
    """Officers present per site and epoch while the greedy plan is being built."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.sites = list(problem.sites)
        self.index = {s.id: i for i, s in enumerate(self.sites)}
        self.eps = epochs(problem)
        n_s, n_e = len(self.sites), len(self.eps)
        self.y = np.zeros((n_s, n_e), dtype=np.int64)
        self.w = np.zeros((n_s, n_e), dtype=np.int64)
        self.cap = np.full(n_s, np.iinfo(np.int64).max // 4, dtype=np.int64)
        self.share = np.zeros(n_s, dtype=np.int64)
        self.need = np.array([s.need for s in self.sites], dtype=np.int64)
        for i, s in enumerate(self.sites):
            self.w[i] = [site_weight(s, b - a) for a, b in self.eps]
            if s.max_officers is not None:
                self.cap[i] = s.max_officers
            self.share[i] = round((s.min_women_share or 0.0) * 1000)
        self.women = np.zeros((n_s, n_e), dtype=np.int64)
        lines = coverage_lines(problem)
        self.slopes = np.array([ln.slope for ln in lines], dtype=np.int64)
        self.icpt = np.array([ln.intercept_per_need for ln in lines], dtype=np.int64)
        for u in units(problem):
            if u.current_site is None:
                continue
            mask = np.array([available_in(u, ep) and pending_in(problem, u, ep) for ep in self.eps])
            self.y[self.index[u.current_site]] += mask * unit_strength(u)
            self.women[self.index[u.current_site]] += mask * unit_women(u)

    def cov(self, y: np.ndarray, rows: np.ndarray | slice) -> np.ndarray:
        """Coverage per mille, as :func:`~.coverage.coverage_points` computes it."""
        need = self.need[rows][..., None]
        z = (self.icpt[:, None, None] * need + self.slopes[:, None, None] * y).min(axis=0)
        return np.clip(z, 0, COVERAGE_SCALE * need)

    def mask(self, u: Unit) -> np.ndarray:
        """Epochs in which a placement of the unit counts."""
        return np.array(
            [available_in(u, ep) and not pending_in(self.problem, u, ep) for ep in self.eps],
            dtype=np.int64,
        )

    def gain(self, mask: np.ndarray, officers: int) -> np.ndarray:
        """Protection added at every site by ``officers`` more officers in the masked epochs."""
        before = self.cov(self.y, slice(None))
        after = self.cov(self.y + officers * mask[None, :], slice(None))
        return ((after - before) * self.w).sum(axis=1)

    def fits(self, mask: np.ndarray, officers: int, women: int) -> np.ndarray:
        """Sites where the officers fit under capacity and keep the women's share."""
        y = self.y + officers * mask[None, :]
        w = self.women + women * mask[None, :]
        ok = (y <= self.cap[:, None]).all(axis=1)
        share_ok = (1000 * w >= self.share[:, None] * y) | (mask[None, :] == 0)
        # A site already below its share may still take officers that raise it.
        improves = women * 1000 >= self.share * officers
        return ok & (share_ok.all(axis=1) | improves)

    def place(self, i: int, mask: np.ndarray, officers: int, women: int) -> None:
        self.y[i] += officers * mask
        self.women[i] += women * mask


def _allowed(problem: Problem, u: Unit, state: _State) -> np.ndarray:
    caveat = problem.caveat_set(u.caveat_set)
    return np.array(
        [same_mission(u, s) and not caveat_exclusions(caveat, s) for s in state.sites], dtype=bool
    )


def greedy(problem: Problem) -> Assignment:
    """Build the greedy baseline plan.

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    Assignment
        Respects caveats, FPU integrity, capacity and (where it can) women's share; may leave
        skill, language or QRF requirements unmet (see :func:`~.plan.evaluate`).
    """
    st = _State(problem)
    reach = qrf_reach(problem)
    uncovered = {s.id for s in problem.sites if s.needs_qrf_cover}
    fpu_base: dict[str, str] = {}
    big = np.int64(1) << 40
    for f in sorted(problem.fpus, key=lambda f: (-f.strength, f.id)):
        mask = st.mask(f)
        ok = _allowed(problem, f, st) & np.array([s.fpu_base for s in st.sites])
        fit = ok & st.fits(mask, f.strength, f.hq_women + f.platoons * f.platoon_women)
        if fit.any():
            ok = fit
        if not ok.any():
            continue
        score = st.gain(mask, f.strength)
        bonus = np.array([sum(1 for t in uncovered if s.id in reach[t]) for s in st.sites])
        score = np.where(ok, score + bonus * big, -1)
        i = int(np.argmax(score))
        st.place(i, mask, f.strength, f.hq_women + f.platoons * f.platoon_women)
        fpu_base[f.id] = st.sites[i].id
        uncovered = {t for t in uncovered if st.sites[i].id not in reach[t]}
    spt_site: dict[str, str | None] = {}
    for t in problem.spts:
        mask = st.mask(t)
        ok = _allowed(problem, t, st) & st.fits(mask, t.strength, t.women)
        if not ok.any():
            spt_site[t.id] = None
            continue
        lacking = np.array(
            [
                any(k in t.skills or k in t.languages for k, _ in (*s.skills, *s.languages))
                for s in st.sites
            ]
        )
        score = np.where(ok, st.gain(mask, t.strength) + lacking * big, -1)
        i = int(np.argmax(score))
        st.place(i, mask, t.strength, t.women)
        spt_site[t.id] = st.sites[i].id
    ipo_sites = _place_ipos(problem, st)
    platoons = {
        f: {s: next(x.platoons for x in problem.fpus if x.id == f)} for f, s in fpu_base.items()
    }
    return Assignment(fpu_base, platoons, spt_site, ipo_sites)


def _place_ipos(problem: Problem, st: _State) -> dict[str, dict[str, int]]:
    classes = list(problem.ipo_classes)
    left = {c.id: c.count for c in classes}
    out: dict[str, dict[str, int]] = {c.id: {} for c in classes}
    masks = {c.id: st.mask(c) for c in classes}
    allowed = {c.id: _allowed(problem, c, st) for c in classes}

    def put(c_idx: int, i: int, k: int) -> None:
        c = classes[c_idx]
        st.place(i, masks[c.id], k, k if c.female else 0)
        left[c.id] -= k
        sid = st.sites[i].id
        out[c.id][sid] = out[c.id].get(sid, 0) + k

    # First the officers a site needs for a skill or language it lacks.
    for i, s in enumerate(st.sites):
        for attr, wanted in (("skills", s.skills), ("languages", s.languages)):
            for name, need in wanted:
                for ci, c in enumerate(classes):
                    if name not in getattr(c, attr) or not allowed[c.id][i] or not left[c.id]:
                        continue
                    k = min(left[c.id], need)
                    if st.fits(masks[c.id], k, k if c.female else 0)[i]:
                        put(ci, i, k)
                        break
    # Then a few officers at a time where the next ones add most protection. Classes with
    # the same availability, sex and chunk size share one gain computation per step.
    allowed_m = np.array([allowed[c.id] for c in classes]).reshape(len(classes), len(st.sites))
    while True:
        keys: dict[tuple[bytes, int, bool], int] = {}
        key_of = np.full(len(classes), -1)
        for ci, c in enumerate(classes):
            if left[c.id]:
                key = (masks[c.id].tobytes(), min(CHUNK, left[c.id]), c.female)
                key_of[ci] = keys.setdefault(key, len(keys))
        if not keys:
            break
        gains = np.zeros((len(keys), len(st.sites)), dtype=np.int64)
        for (mb, k, female), g in keys.items():
            mask = np.frombuffer(mb, dtype=np.int64)
            fit = st.fits(mask, k, k if female else 0)
            gains[g] = np.where(fit, st.gain(mask, k), -1)
        live = key_of >= 0
        score = np.where(allowed_m & live[:, None], gains[np.maximum(key_of, 0)], -1)
        flat = int(np.argmax(score))
        row, col = divmod(flat, score.shape[1])
        if score[row, col] <= 0:
            break
        put(row, col, min(CHUNK, left[classes[row].id]))
    return out
