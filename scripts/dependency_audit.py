"""Dependency audit: pip-audit over the locked requirements (uv.lock), in the test command.

Fails when a locked package has a known vulnerability that is not listed, with its reason, in
`.pip-audit-ignore` (one `ID  # why` a line). When the vulnerability service cannot be reached
(these development machines reach the package index but not PyPI's per-release JSON API or OSV),
every package comes back "could not be audited": the step then says loudly that nothing was
audited and does not fail, because a network limit is not a finding. Run it where the network
allows (CI with internet, a developer laptop) before a release: `.venv/bin/python
scripts/dependency_audit.py`.
"""

import json
import subprocess  # nosec B404
import sys
import tempfile
from pathlib import Path

# subprocess runs uv and pip-audit with fixed arguments (bandit B404/B603 reviewed).
ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".pip-audit-ignore"


def ignored_ids() -> list[str]:
    ids = []
    for line in IGNORE_FILE.read_text().splitlines() if IGNORE_FILE.exists() else []:
        entry, _, reason = line.partition("#")
        if entry.strip():
            if not reason.strip():
                sys.exit(f"{IGNORE_FILE.name}: '{entry.strip()}' has no reason after '#'")
            ids.append(entry.strip())
    return ids


def main() -> int:
    with tempfile.NamedTemporaryFile("w+", suffix=".txt") as requirements:
        export = [str(ROOT / ".tools/bin/uv"), "export", "--frozen", "--no-hashes"]
        export += ["--no-emit-project", "-q", "-o", requirements.name]
        subprocess.run(export, check=True, cwd=ROOT)  # noqa: S603  # nosec B603
        command = [sys.executable, "-m", "pip_audit", "-r", requirements.name, "--no-deps"]
        command += ["--disable-pip", "--progress-spinner", "off", "--timeout", "15", "-f", "json"]
        for vuln_id in ignored_ids():
            command += ["--ignore-vuln", vuln_id]
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)  # noqa: S603  # nosec B603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print("\n".join(result.stderr.strip().splitlines()[-1:]) or "pip-audit gave no report")
        print("dependency audit: NOT RUN (pip-audit failed before auditing; see above)")
        return 0
    code, lines = summarise(report)
    print("\n".join(lines))
    return code


def summarise(report: dict) -> tuple[int, list[str]]:
    """(exit code, lines to print) for a pip-audit JSON report."""
    deps = report["dependencies"]
    audited = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    lines = [
        f"  {dep['name']} {dep['version']}: {vuln['id']} "
        f"(fixed in {', '.join(vuln.get('fix_versions', [])) or 'no release yet'})"
        for dep in vulnerable
        for vuln in dep["vulns"]
    ]
    if vulnerable:
        lines.append(
            f"dependency audit: {len(vulnerable)} vulnerable package(s); upgrade, or list the "
            f"ID with a reason in {IGNORE_FILE.name}"
        )
        return 1, lines
    if not audited:
        lines.append(
            "dependency audit: NOT RUN: the vulnerability service could not be reached for "
            f"any of the {len(deps)} locked packages (no network route from this machine)"
        )
        return 0, lines
    lines.append(
        f"dependency audit: {len(audited)} of {len(deps)} packages audited, none vulnerable"
    )
    return 0, lines


if __name__ == "__main__":
    sys.exit(main())
