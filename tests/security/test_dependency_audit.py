"""The dependency audit step (scripts/dependency_audit.py) reads pip-audit's JSON report."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "dependency_audit.py"
spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_vulnerable_package_fails_the_step_and_is_named():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [
                {"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
            {"name": "celery", "version": "5.5.0", "vulns": []},
        ]
    }  # fmt: skip
    code, lines = audit.summarise(report)
    assert code == 1
    assert "django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in lines[0]


def test_clean_audit_passes_and_counts_what_was_audited():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": []},
            {"name": "amqp", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    code, lines = audit.summarise(report)
    assert code == 0
    assert lines[-1].endswith("1 of 2 packages audited, none vulnerable")


def test_nothing_audited_is_reported_as_not_run_not_as_clean():
    report = {"dependencies": [{"name": "amqp", "skip_reason": "not found"}]}
    code, lines = audit.summarise(report)
    assert code == 0
    assert "NOT RUN" in lines[-1]
    assert "none vulnerable" not in lines[-1]


def test_an_ignored_id_needs_a_reason(tmp_path, monkeypatch):
    ignore = tmp_path / ".pip-audit-ignore"
    ignore.write_text("# comment line\nGHSA-aaaa-bbbb-cccc  # not reachable: we never parse XML\n")
    monkeypatch.setattr(audit, "IGNORE_FILE", ignore)
    assert audit.ignored_ids() == ["GHSA-aaaa-bbbb-cccc"]
    ignore.write_text("GHSA-aaaa-bbbb-cccc\n")
    with pytest.raises(SystemExit, match="no reason"):
        audit.ignored_ids()
