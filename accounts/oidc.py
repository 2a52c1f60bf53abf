"""OpenID Connect login with mozilla-django-oidc, for two providers at once: ID-porten
(municipal case officers) and KS's Entra ID (KS staff). docs/decisions/accounts-oidc.md.

mozilla-django-oidc reads one provider's settings through `get_settings`; the views and the
backend here answer it from DIGIFIN_OIDC_PROVIDERS[provider] and the provider's discovery
document. The flow is the authorization code flow with PKCE (S256), state and nonce; the
id_token is checked here beyond the library's defaults: RS256 only, signed by a key from the
provider's JWKS, issuer, audience, expiry and issue time required and checked. Every refusal is
logged with its reason only (never a claim: the pid is a fødselsnummer)."""

import logging
import time

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .identity import INVITATION_SESSION_KEY, Refused, municipal_login, staff_login

logger = logging.getLogger("digifin.oidc")

PROVIDERS = ("idporten", "entra")
REFUSAL_SESSION_KEY = "digifin_oidc_refusal"
LOGIN_SESSION_KEY = "digifin_oidc"
# ID-porten's levels of assurance, lowest first; a configured level admits the higher ones.
IDPORTEN_LEVELS = ["idporten-loa-substantial", "idporten-loa-high"]
CLOCK_LEEWAY_SECONDS = 30

_discovery_cache: dict[str, tuple[float, dict]] = {}
DISCOVERY_TTL_SECONDS = 3600


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read."""


def provider_config(key: str) -> dict | None:
    return getattr(settings, "DIGIFIN_OIDC_PROVIDERS", {}).get(key)


def configured_providers() -> list[str]:
    return [key for key in PROVIDERS if provider_config(key)]


def discovery(key: str) -> dict:
    """The provider's /.well-known/openid-configuration, cached for an hour."""
    config = provider_config(key)
    issuer = config["issuer"]
    cached = _discovery_cache.get(issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
        return cached[1]
    try:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration",
            timeout=settings.DIGIFIN_OIDC_TIMEOUT,
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("OIDC %s: discovery failed: %s", key, type(exc).__name__)
        raise ProviderUnavailable(key) from exc
    if document.get("issuer", "").rstrip("/") != issuer:
        logger.warning("OIDC %s: discovery names another issuer", key)
        raise ProviderUnavailable(key)
    _discovery_cache[issuer] = (time.monotonic(), document)
    return document


def provider_setting(key: str | None, attr: str, *default):
    """mozilla-django-oidc's settings for one provider."""
    config = provider_config(key) if key else None
    if config is None:
        if default:
            return default[0]
        return ""
    from_discovery = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
        "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",  # nosec B105 - a setting's name, no secret
        "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
        "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    }
    if attr == "OIDC_OP_JWKS_ENDPOINT" and config.get("jwks_uri"):
        return config["jwks_uri"]
    if attr in from_discovery:
        return discovery(key).get(from_discovery[attr], "")
    fixed = {
        "OIDC_RP_CLIENT_ID": config["client_id"],
        "OIDC_RP_CLIENT_SECRET": config["client_secret"],
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_SCOPES": config["scopes"],
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_PKCE_CODE_VERIFIER_SIZE": 64,
        "OIDC_AUTHENTICATION_CALLBACK_URL": f"accounts:oidc_callback_{key}",
        "OIDC_TIMEOUT": settings.DIGIFIN_OIDC_TIMEOUT,
        "OIDC_VERIFY_SSL": True,
        # Not stored by the library: the callback view keeps the id_token for the logout hint.
        "OIDC_STORE_ID_TOKEN": False,  # nosec B105 - a flag, no secret
        "OIDC_STORE_ACCESS_TOKEN": False,  # nosec B105 - a flag, no secret
        "OIDC_CREATE_USER": False,
        "OIDC_REDIRECT_REQUIRE_HTTPS": not settings.DEBUG,
    }
    if attr in fixed:
        return fixed[attr]
    return getattr(settings, attr, *default) if default else getattr(settings, attr)


class OIDCBackend(OIDCAuthenticationBackend):
    """Authenticates only on a provider's callback (the view marks the request); every other
    authenticate() call (the password form) passes through."""

    def __init__(self, *args, **kwargs):
        # The provider is known only per request (authenticate), not when Django loads us.
        self.provider = None
        self.UserModel = get_user_model()

    def get_settings(self, attr, *args):
        return provider_setting(self.provider, attr, *args)

    def authenticate(self, request, **kwargs):
        key = getattr(request, "digifin_oidc_provider", None) if request is not None else None
        if key is None or provider_config(key) is None or "nonce" not in kwargs:
            return None
        self.provider = key
        try:
            super().__init__()  # reads this provider's settings (discovery)
            return super().authenticate(request, **kwargs)
        except Refused as refused:
            logger.warning("OIDC %s: login refused: %s", key, refused.reason)
            request.session[REFUSAL_SESSION_KEY] = refused.reason
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            # The message names the check that failed, never a claim's value.
            logger.warning("OIDC %s: id_token refused: %s", key, exc)
            request.session[REFUSAL_SESSION_KEY] = "token_invalid"
        except (requests.RequestException, ProviderUnavailable, ValueError, KeyError) as exc:
            # The provider's answers could not be used (down, an error, malformed JSON).
            logger.warning("OIDC %s: token exchange failed: %s", key, type(exc).__name__)
            request.session[REFUSAL_SESSION_KEY] = "token_invalid"
        return None

    # --- the id_token ---------------------------------------------------------------------

    def retrieve_matching_jwk(self, token):
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.DIGIFIN_OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if k.get("kty") == "RSA"]
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        if kid is not None:
            keys = [k for k in keys if k.get("kid") == kid]
        elif len(keys) != 1:
            keys = []
        if not keys:
            raise SuspiciousOperation("no key in the provider's JWKS matches the id_token")
        return jwt.PyJWK(keys[0], algorithm="RS256")

    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation("the id_token is not a JWS") from exc
        if header.get("alg") != "RS256":
            raise SuspiciousOperation("the id_token is not signed with RS256")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=["RS256"],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider_config(self.provider)["issuer"],
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            # e.g. InvalidSignatureError, InvalidAudienceError, InvalidIssuerError,
            # ExpiredSignatureError: the class name says which check failed.
            raise SuspiciousOperation(f"id_token refused: {type(exc).__name__}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        """The verified id_token's claims: ID-porten puts the pid there, Entra the groups."""
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        if self.provider == "idporten":
            user = self._idporten_user(payload)
            mfa_at_idp = False
        else:
            user = self._entra_user(payload)
            mfa_at_idp = True
        self.request.digifin_oidc_login = {
            "provider": self.provider,
            "exp": int(payload["exp"]),
            "id_token": id_token,
            "mfa_at_idp": mfa_at_idp,
        }
        return user

    def _idporten_user(self, claims):
        pid = claims.get("pid")
        if not isinstance(pid, str) or not pid.isdigit() or len(pid) != 11:
            raise Refused("token_invalid")
        wanted = provider_config("idporten").get("acr_values")
        if wanted in IDPORTEN_LEVELS:
            acr = claims.get("acr")
            if acr not in IDPORTEN_LEVELS[IDPORTEN_LEVELS.index(wanted) :]:
                raise Refused("level_too_low")
        return municipal_login(
            pid=pid, invitation_digest=self.request.session.get(INVITATION_SESSION_KEY)
        )

    def _entra_user(self, claims):
        group = provider_config("entra").get("staff_group")
        groups = claims.get("groups")
        if not group or not isinstance(groups, list) or group not in groups:
            raise Refused("not_staff")
        object_id = claims.get("oid") or claims["sub"]
        email = claims.get("email") or claims.get("preferred_username") or ""
        return staff_login(
            object_id=str(object_id), email=str(email)[:254], name=str(claims.get("name", ""))
        )
