"""A client for Enhetsregisteret's open API (Brønnøysundregistrene, data.brreg.no) and the
parser of its `enhet` documents, used for the members' addresses, organisasjonsform, register
flags and målform (docs/decisions/members-enhetsregisteret.md).

`fetch_enhet` makes at most `1 + retries` GET requests with a connect and read timeout, retrying
only what may pass (a timeout, a lost connection, a 5xx); a 404 or 410 is an answer (the unit is
not, or no longer, in the register). An orgnr that fails MOD11 is never sent. `parse_enhet`
turns the JSON into a `RegisterEntry` and refuses anything malformed, so a bad answer never
reaches a member; the demo reads the committed fixtures through the same parser."""

import contextlib
import datetime
import json
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.no import orgnr as orgnr_std

from core.bounds import TEXT_SHORT

from .models import Maalform

DEFAULT_URL = "https://data.brreg.no/enhetsregisteret/api"
FIXTURES = Path(__file__).resolve().parent / "data" / "enhetsregisteret" / "enheter.json"
MAX_LINES = 3  # adresse[]: the register gives at most three lines
MAX_BYTES = 256 * 1024  # one enhet document is a few kilobytes
MAALFORM = {"bokmål": Maalform.BOKMAL, "nynorsk": Maalform.NYNORSK}


class RegisterError(Exception):
    """The register could not be asked or gave no usable answer; `str()` says why in
    Norwegian, for KS's list of members that could not be refreshed."""


class InvalidOrgnr(RegisterError):
    pass


@dataclass(frozen=True)
class RegisterEntry:
    orgnr: str
    name: str = ""
    organisasjonsform: str = ""
    address_lines: tuple[str, ...] = ()
    postnummer: str = ""
    poststed: str = ""
    maalform: str = ""
    deleted: bool = False
    deleted_on: datetime.date | None = None
    bankrupt: bool = False
    winding_up: bool = False

    @property
    def printed_address(self) -> str:
        """The address as printed on a letter: its lines, then «postnummer POSTSTED»."""
        last = " ".join(part for part in (self.postnummer, self.poststed) if part)
        return "\n".join([*self.address_lines, *([last] if last else [])])


def _text(value, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > TEXT_SHORT or "\x00" in value:
        raise RegisterError(_("Ugyldig svar fra Enhetsregisteret (%(what)s).") % {"what": what})
    return value.strip()


def _flag(value, what: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RegisterError(_("Ugyldig svar fra Enhetsregisteret (%(what)s).") % {"what": what})
    return value


def _date(value, what: str) -> datetime.date | None:
    text = _text(value, what)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise RegisterError(
            _("Ugyldig svar fra Enhetsregisteret (%(what)s).") % {"what": what}
        ) from exc


def _address(data: dict) -> tuple[tuple[str, ...], str, str]:
    """Postadresse if the unit has one, else forretningsadresse (where the post goes)."""
    for key in ("postadresse", "forretningsadresse"):
        address = data.get(key)
        if address is None:
            continue
        if not isinstance(address, dict):
            raise RegisterError(_("Ugyldig svar fra Enhetsregisteret (%(what)s).") % {"what": key})
        lines = address.get("adresse") or []
        if not isinstance(lines, list) or len(lines) > MAX_LINES:
            raise RegisterError(_("Ugyldig svar fra Enhetsregisteret (%(what)s).") % {"what": key})
        lines = tuple(line for line in (_text(x, key) for x in lines) if line)
        postnummer = _text(address.get("postnummer"), key)
        if postnummer and not (postnummer.isdigit() and len(postnummer) == 4):
            raise RegisterError(_("Ugyldig svar fra Enhetsregisteret (%(what)s).") % {"what": key})
        return lines, postnummer, _text(address.get("poststed"), key)
    return (), "", ""


def parse_enhet(data, *, orgnr: str) -> RegisterEntry:
    """An `enhet` document (GET /enheter/{orgnr}) → RegisterEntry; RegisterError if malformed
    or if it is another unit's."""
    if not isinstance(data, dict):
        raise RegisterError(_("Ugyldig svar fra Enhetsregisteret (ikke et JSON-objekt)."))
    if data.get("organisasjonsnummer") != orgnr:
        raise RegisterError(_("Enhetsregisteret svarte med en annen enhet enn den som ble spurt."))
    form = data.get("organisasjonsform") or {}
    if not isinstance(form, dict):
        raise RegisterError(
            _("Ugyldig svar fra Enhetsregisteret (%(what)s).") % {"what": "organisasjonsform"}
        )
    lines, postnummer, poststed = _address(data)
    deleted_on = _date(data.get("slettedato"), "slettedato")
    maalform = _text(data.get("maalform"), "maalform").lower()
    return RegisterEntry(
        orgnr=orgnr,
        name=_text(data.get("navn"), "navn"),
        organisasjonsform=_text(form.get("kode"), "organisasjonsform")[:8],
        address_lines=lines,
        postnummer=postnummer,
        poststed=poststed,
        maalform=MAALFORM.get(maalform, ""),
        deleted=deleted_on is not None,
        deleted_on=deleted_on,
        bankrupt=_flag(data.get("konkurs"), "konkurs"),
        winding_up=_flag(data.get("underAvvikling"), "underAvvikling"),
    )


def _read(response) -> bytes:
    """The body, refused past MAX_BYTES (an enhet is ~2 kB): a runaway answer never fills
    memory. Read errors surface as requests' exceptions (retried like a timeout)."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(16 * 1024):
            size += len(chunk)
            if size > MAX_BYTES:
                raise RegisterError(_("Svaret fra Enhetsregisteret er for stort."))
            chunks.append(chunk)
    finally:
        response.close()
    return b"".join(chunks)


def base_url() -> str:
    return getattr(settings, "ENHETSREGISTERET_URL", DEFAULT_URL).rstrip("/")


def fetch_enhet(
    orgnr: str,
    *,
    session: requests.Session | None = None,
    url: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    backoff: float | None = None,
) -> RegisterEntry:
    """GET /enheter/{orgnr} with timeouts and retries → RegisterEntry. A 404 or 410 gives an
    entry marked deleted (the register no longer holds the unit); everything else that is not
    a usable answer raises RegisterError."""
    if not orgnr_std.is_valid(orgnr or ""):
        raise InvalidOrgnr(
            _("%(orgnr)s er ikke et gyldig organisasjonsnummer (MOD11); ikke sendt.")
            % {"orgnr": orgnr or "–"}
        )
    timeout = getattr(settings, "ENHETSREGISTERET_TIMEOUT", 10.0) if timeout is None else timeout
    retries = getattr(settings, "ENHETSREGISTERET_RETRIES", 2) if retries is None else retries
    backoff = getattr(settings, "ENHETSREGISTERET_BACKOFF", 0.5) if backoff is None else backoff
    address = f"{url.rstrip('/') if url else base_url()}/enheter/{orgnr}"
    session = session or requests.Session()
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            response = session.get(
                address,
                timeout=(min(timeout, 5.0), timeout),
                headers={"Accept": "application/json"},
                allow_redirects=False,
                stream=True,
            )
            body = _read(response)
        except requests.Timeout:
            reason = _("Enhetsregisteret svarte ikke innen %(seconds)s sekunder.") % {
                "seconds": f"{timeout:g}"
            }
            continue
        except requests.RequestException:
            reason = _("Fikk ikke kontakt med Enhetsregisteret.")
            continue
        if response.status_code >= 500:
            reason = _("Enhetsregisteret svarte med feil %(status)s.") % {
                "status": response.status_code
            }
            continue
        if response.status_code in (404, 410):
            deleted_on = None
            with contextlib.suppress(ValueError, AttributeError, RegisterError):
                deleted_on = _date(json.loads(body).get("slettedato"), "slettedato")
            return RegisterEntry(orgnr=orgnr, deleted=True, deleted_on=deleted_on)
        if response.status_code != 200:
            raise RegisterError(
                _("Enhetsregisteret svarte med status %(status)s.")
                % {"status": response.status_code}
            )
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise RegisterError(_("Ugyldig svar fra Enhetsregisteret (ikke JSON).")) from exc
        return parse_enhet(data, orgnr=orgnr)
    raise RegisterError(reason)


def fixture_entries() -> dict[str, dict]:
    """The committed fixture documents (orgnr → enhet), for the demo and the tests."""
    return json.loads(FIXTURES.read_text(encoding="utf-8"))


def fixture_lookup(documents: dict[str, dict] | None = None):
    """A fetch function over the fixtures, parsed as the API's answers are (no network)."""
    documents = fixture_entries() if documents is None else documents

    def lookup(orgnr: str) -> RegisterEntry:
        if not orgnr_std.is_valid(orgnr or ""):
            raise InvalidOrgnr(
                _("%(orgnr)s er ikke et gyldig organisasjonsnummer (MOD11); ikke sendt.")
                % {"orgnr": orgnr or "–"}
            )
        data = documents.get(orgnr)
        if data is None:
            return RegisterEntry(orgnr=orgnr, deleted=True)
        return parse_enhet(data, orgnr=orgnr)

    return lookup
