"""Pure computational engines.

Engines import numpy, pandas, scikit-learn, OR-Tools or HiGHS, never Django, the ORM, settings,
the wall clock or global randomness: every input (including time and seeds) is passed in.
An import-linter contract in ``pyproject.toml`` enforces this.
"""
