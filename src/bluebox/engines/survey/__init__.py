"""Design-based survey estimates with small-cell suppression. See :mod:`.estimates`."""

from bluebox.engines.survey.estimates import (
    DEFAULT_MIN_RESPONDENTS,
    Estimate,
    Response,
    age_band,
    proportion,
)

__all__ = ["DEFAULT_MIN_RESPONDENTS", "Estimate", "Response", "age_band", "proportion"]
