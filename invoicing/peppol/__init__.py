"""The official PEPPOL BIS Billing 3.0 business rules, run on an EHF document.

Two rule sets, as a PEPPOL access point runs them: CEN's EN 16931 rules for UBL (ConnectingEurope,
shipped pre-compiled to XSLT) and OpenPEPPOL's PEPPOL-EN16931-UBL schematron (compiled to XSLT
here with the vendored SchXslt). The files and their sources, versions and terms are in
rules/README.md. They run in Saxon-HE through `saxonche`, a dev dependency like the UBL XSDs
(production never validates its own EHF with them; the test command does).

Each stylesheet is compiled once per process and kept (`_stylesheets`); a document then takes
a few milliseconds per rule set. docs/decisions/invoicing-004-peppol-schematron.md says why."""

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

RULES_DIR = Path(__file__).resolve().parent / "rules"
PEPPOL_SCH = RULES_DIR / "PEPPOL-EN16931-UBL.sch"
CEN_XSLT = RULES_DIR / "EN16931-UBL-validation.xslt"
SCHXSLT_PIPELINE = RULES_DIR / "schxslt" / "pipeline-for-svrl.xsl"
SVRL = "http://purl.oclc.org/dsdl/svrl"


class SaxonUnavailable(RuntimeError):
    """saxonche (Saxon-HE, a dev dependency) is not installed."""


@dataclass(frozen=True)
class Finding:
    """One failed assertion (or a fired report) of a rule set, as the rule file words it."""

    rule_set: str  # "CEN" or "PEPPOL"
    rule_id: str  # e.g. "BR-CO-10", "PEPPOL-EN16931-R003"
    flag: str  # "fatal" or "warning" (as the rule file flags it)
    text: str
    location: str

    @property
    def fatal(self) -> bool:
        return self.flag == "fatal"

    def __str__(self) -> str:
        return f"[{self.rule_set} {self.flag}] {self.rule_id}: {self.text} ({self.location})"


@cache
def _processor():
    if importlib.util.find_spec("saxonche") is None:
        raise SaxonUnavailable("Installer saxonche (dev) for å kjøre PEPPOL-reglene.")
    from saxonche import PySaxonProcessor  # a dev dependency: imported on first use only

    return PySaxonProcessor(license=False)


def compile_peppol_schematron() -> str:
    """The PEPPOL schematron compiled to an XSLT stylesheet (SchXslt's SVRL pipeline)."""
    xslt = _processor().new_xslt30_processor()
    pipeline = xslt.compile_stylesheet(stylesheet_file=str(SCHXSLT_PIPELINE))
    compiled = pipeline.transform_to_string(source_file=str(PEPPOL_SCH))
    if not compiled or "<xsl:transform" not in compiled and "<xsl:stylesheet" not in compiled:
        raise RuntimeError(f"SchXslt kunne ikke kompilere {PEPPOL_SCH.name}.")
    return compiled


@cache
def _stylesheets() -> dict:
    """Both rule sets as compiled Saxon executables, built once per process."""
    xslt = _processor().new_xslt30_processor()
    return {
        "CEN": xslt.compile_stylesheet(stylesheet_file=str(CEN_XSLT)),
        "PEPPOL": xslt.compile_stylesheet(stylesheet_text=compile_peppol_schematron()),
    }


def _findings(rule_set: str, svrl: str) -> list[Finding]:
    report = etree.fromstring(svrl.encode())  # noqa: S320 - Saxon's own SVRL output
    found = []
    for node in report.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = node.find(f"{{{SVRL}}}text")
        found.append(
            Finding(
                rule_set=rule_set,
                rule_id=node.get("id", ""),
                flag=node.get("flag") or "fatal",
                text=" ".join((text.text or "").split()) if text is not None else "",
                location=node.get("location", ""),
            )
        )
    return found


def peppol_findings(xml: bytes) -> list[Finding]:
    """Every CEN and PEPPOL rule the document breaks, fatal and warnings, in that order."""
    processor = _processor()
    document = processor.parse_xml(xml_text=xml.decode("utf-8"))
    findings: list[Finding] = []
    for rule_set, executable in _stylesheets().items():
        findings += _findings(rule_set, executable.transform_to_string(xdm_node=document))
    return findings


def peppol_fatal(xml: bytes) -> list[Finding]:
    """The fatal findings only: a PEPPOL access point refuses a document that has any."""
    return [f for f in peppol_findings(xml) if f.fatal]
