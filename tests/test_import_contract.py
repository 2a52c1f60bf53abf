"""The layering is a checked contract (import-linter, `[tool.importlinter]` in pyproject.toml):
every app is in a layer, the tree keeps it, and an import that runs upward breaks it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contract() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _lint(tree: Path) -> subprocess.CompletedProcess:
    """lint-imports on `tree` (a copy of the project or the project itself), no cache."""
    return subprocess.run(
        [str(LINT_IMPORTS), str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_project(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tree)
    for package in _contract()["root_packages"]:
        shutil.copytree(
            ROOT / package,
            tree / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "data", "templates", "static"),
        )
    return tree


def test_every_local_app_is_named_in_a_layer():
    layers = set(_contract()["contracts"][0]["layers"])
    local = {c.name.split(".")[0] for c in apps.get_app_configs() if (ROOT / c.name).is_dir()}
    assert local <= layers, f"apps missing from the import contract: {local - layers}"
    assert "ignore_imports" not in _contract()["contracts"][0]


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_the_tree_keeps_the_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_an_upward_import_breaks_the_contract(tmp_path):
    """members sits below projects: a planted `import projects.models` in members fails."""
    tree = _copy_project(tmp_path)
    (tree / "members" / "planted.py").write_text("import projects.models  # noqa: F401\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "members is not allowed to import projects" in result.stdout
    assert "members.planted -> projects.models" in result.stdout
