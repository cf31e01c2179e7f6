"""Impact evaluation: what patrols and other interventions do to incidents.

Pure computation (numpy, pandas, SciPy); no Django, no clock, no global
randomness: every resampling takes a ``random_state``. Estimators follow the scikit-learn
contract (``fit`` returns self, results end in ``_``) and every result is an
:class:`Estimate` with a 95 % interval and a verdict that refuses to claim an effect inside
the noise. See ``docs/engines/impact.md``.

- :class:`PatrolEffect`: effect of patrol presence in the same and following slots, from the
  randomised plans' design log (inverse-probability weighting and randomisation inference);
- :class:`DoseResponse`: time spent in an area against time to its next incident (Cox model,
  Koper curve);
- :class:`SpilloverEffect` and :func:`ring_effects`: displacement and diffusion (randomised
  exposure of neighbours; target, buffer and control rings with the weighted displacement
  quotient);
- :class:`StaggeredDiD` and :class:`SyntheticControl`: interventions that were not
  randomised (a new FPU, a dialogue, a police station), with placebo tests in space and time
  placed the way real units are chosen (after their own worst weeks);
- :mod:`~bluebox.engines.impact.simulate`: panels with a known effect, hot spots chosen for
  being extreme, spillovers and regression to the mean, for validation.

Typical use::

    panel = design_panel_from_dict(read_json(path))
    estimate = PatrolEffect(horizon=0, random_state=7).fit(panel).estimate_
    print(estimate.low, estimate.high, verdict_text(estimate))
"""

from bluebox.engines.impact.displacement import SpilloverEffect, exposure_panel, ring_effects, wdq
from bluebox.engines.impact.documents import (
    design_panel_from_dict,
    design_panel_to_dict,
    intervention_panel_from_dict,
    intervention_panel_to_dict,
)
from bluebox.engines.impact.dose import CurvePoint, DoseResponse, simulate_visits
from bluebox.engines.impact.observational import (
    StaggeredDiD,
    SyntheticControl,
    simulate_intervention_panel,
)
from bluebox.engines.impact.randomised import ImpactError, PatrolEffect
from bluebox.engines.impact.schemas import DocumentError, validate
from bluebox.engines.impact.simulate import SimulatedPanel, simulate_patrol_panel
from bluebox.engines.impact.verdict import VERDICTS, Estimate, decide, verdict_text

__all__ = [
    "VERDICTS",
    "CurvePoint",
    "DocumentError",
    "DoseResponse",
    "Estimate",
    "ImpactError",
    "PatrolEffect",
    "SimulatedPanel",
    "SpilloverEffect",
    "StaggeredDiD",
    "SyntheticControl",
    "decide",
    "design_panel_from_dict",
    "design_panel_to_dict",
    "exposure_panel",
    "intervention_panel_from_dict",
    "intervention_panel_to_dict",
    "ring_effects",
    "simulate_intervention_panel",
    "simulate_patrol_panel",
    "simulate_visits",
    "validate",
    "verdict_text",
    "wdq",
]
