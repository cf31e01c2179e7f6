"""The import contracts in pyproject.toml bite: each one fails on a module that breaks it.

The layers are written down in docs/architecture.md. These tests copy the package, plant one
violation per contract, and run the real ``lint-imports`` on the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "bluebox"
CONFIG = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

ENGINES = "Engines are pure: nothing from Django, the web layer or bluebox but engines"
APPS = "Apps are layered: an app imports only the apps below it"
INSIDE = "Inside an app: views/api -> services -> selectors -> tasks -> jobs -> adapter"


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads(CONFIG.read_text())
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(CONFIG), "--no-cache", "--no-logo"],
        cwd=src.parent,
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _section(output: str, name: str) -> str:
    """The part of the report about one broken contract (its heading to the next heading)."""
    start = output.index("Broken contracts")
    body = output[start:]
    at = body.find(name)
    assert at >= 0, f"{name!r} is not reported broken:\n{output}"
    rest = body[at + len(name) :]
    ends = [rest.find(other) for other in (ENGINES, APPS, INSIDE) if other != name]
    end = min([e for e in ends if e >= 0], default=len(rest))
    return rest[:end]


def test_the_engine_contract_forbids_every_top_level_package_but_engines():
    listed = set(_contracts()[ENGINES]["forbidden_modules"])  # type: ignore[arg-type]
    packages = {
        f"bluebox.{p.name}"
        for p in PACKAGE.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"
    }
    packages = {p.removesuffix(".py") for p in packages} - {"bluebox.__init__", "bluebox.engines"}
    assert packages - listed == set(), "add these packages to the engine contract"
    assert _contracts()[ENGINES]["allow_indirect_imports"] is False


def test_the_app_layers_name_every_domain_app():
    layered = {
        part.strip().strip("()")
        for layer in _contracts()[APPS]["layers"]  # type: ignore[attr-defined]
        for part in layer.replace(":", "|").split("|")
    }
    apps = {
        f"bluebox.{p.name}"
        for p in PACKAGE.iterdir()
        if (p / "apps.py").exists() or p.name in {"core", "engines"}
    }
    assert apps - layered == set(), "place these apps in the layers contract"


@pytest.mark.slow
def test_lint_imports_fails_on_each_kind_of_violation(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(
        PACKAGE,
        src / "bluebox",
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "locale", "templates"),
    )
    # An engine reaching into an app, the hole the old contract left open.
    (src / "bluebox/engines/leaky.py").write_text("from bluebox.alerts import services\n")
    # The bottom domain importing one above it.
    (src / "bluebox/missions/upward.py").write_text("from bluebox.incidents import models\n")
    # Worker-side code importing the request side of its own app.
    with (src / "bluebox/deployment/adapter.py").open("a") as adapter:
        adapter.write("\nfrom bluebox.deployment import services  # noqa: E402\n")

    result = _lint(src)

    assert result.returncode != 0, result.stdout
    out = result.stdout
    assert "Contracts: 0 kept, 3 broken." in out, out
    assert "bluebox.engines.leaky -> bluebox.alerts.services" in _section(out, ENGINES)
    assert "bluebox.missions.upward -> bluebox.incidents.models" in _section(out, APPS)
    assert "bluebox.deployment.adapter -> bluebox.deployment.services" in _section(out, INSIDE)


def test_the_engines_that_speak_load_without_django():
    """The modules whose words are translated by the product (messages, forecast reasons,
    custody notices and legal bases, deployment what-ifs and conflicts) import no Django and no
    app: loaded alone, in a fresh interpreter, none of them is in ``sys.modules``."""
    modules = [
        "bluebox.engines.messages",
        "bluebox.engines.forecast.explain",
        "bluebox.engines.custody.notices",
        "bluebox.engines.custody.legal",
        "bluebox.engines.deployment.whatif",
        "bluebox.engines.deployment.explain",
    ]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')"
        " or (m.startswith('bluebox.') and m.split('.')[1] not in ('engines',)))\n"
        "print(','.join(bad))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(PACKAGE.parent), "DJANGO_SETTINGS_MODULE": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert run.stdout.strip() == "", run.stdout
