"""A readable table of a backtest's metrics document (Markdown)."""

from __future__ import annotations

from typing import Any

_SHORT = {
    "brier": "Brier",
    "average_precision": "AP",
    "roc_auc": "AUC",
    "mse_log1p": "MSE log1p",
    "crps": "CRPS",
}


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.4g}" if abs(x) < 1000 else f"{x:.0f}"


def metrics_markdown(doc: dict[str, Any], metrics: tuple[str, ...] | None = None) -> str:
    """One table per horizon: score [95 % CI] and the verdict against the best baseline.

    Parameters
    ----------
    doc : dict
        A ``forecast-metrics`` document (``BacktestResult.metrics``).
    metrics : tuple of str, optional
        Metrics to show (default: every metric in the document).
    """
    names = list(metrics or doc["higher_is_better"].keys())
    lines = []
    for h in doc["horizons"]:
        lines.append(f"### Horizon {h}\n")
        lines.append(
            "| model | " + " | ".join(_SHORT.get(m, m.replace("_", " ")) for m in names) + " |"
        )
        lines.append("|---|" + "---|" * len(names))
        for model in doc["models"]:
            cells = []
            for m in names:
                e = doc["results"][model][m][str(h)]
                lo, hi = e["ci"]
                cell = f"{_fmt(e['score'])} [{_fmt(lo)}, {_fmt(hi)}]"
                verdict = e.get("verdict")
                if verdict == "best baseline":
                    cell = f"**{cell}** (best baseline)"
                elif verdict == "better":
                    dlo, dhi = e["difference_ci"]
                    cell += f" better (diff {_fmt(e['difference'])} [{_fmt(dlo)}, {_fmt(dhi)}])"
                elif verdict == "no significant difference":
                    cell += " n.s."
                elif verdict == "worse":
                    cell += " worse"
                cells.append(cell)
            lines.append(f"| {model} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
