"""A real OpenID provider for the login tests: oidc-provider-mock (PyPI; Flask and Authlib, RS256
id_tokens, JWKS, discovery, end_session) served over HTTP on a free local port in a thread.

Two things are added in front of it, as a WSGI wrapper:
- PKCE is enforced: the mock ignores code_challenge, so the wrapper records the challenge of
  each authorization and refuses a token request whose code_verifier does not match (S256), as
  ID-porten does.
- A tampered id_token on demand (`tamper_payload`): the token response's id_token gets its
  claims changed while its signature stays, like a token altered on the way.

Audience, issuer, nonce and expiry are tampered with through the provider itself: the mock puts
a user's claims over the standard ones, so a user with {"aud": "someone-else"} gets an id_token
signed by the provider's own key that names another audience."""

import base64
import contextlib
import hashlib
import io
import json
import os
import threading
from urllib.parse import parse_qs, quote, urlparse

import oidc_provider_mock
import requests
import werkzeug.serving


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ProviderWrapper:
    def __init__(self, app):
        self.app = app
        self.challenges: dict[str, tuple[str | None, str | None]] = {}
        self.pkce_refusals = 0
        self.authorize_params: list[dict] = []
        self.tamper_payload: dict | None = None
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        if path == "/oauth2/authorize":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            with self.lock:
                self.authorize_params.append(query)
            if method == "POST":
                return self.app(environ, self._recording(query, start_response))
        if path == "/oauth2/token" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            with self.lock:
                challenge, challenge_method = self.challenges.pop(
                    form.get("code", ""), (None, None)
                )
            verifier = form.get("code_verifier", "")
            expected = _b64url(hashlib.sha256(verifier.encode()).digest()) if verifier else None
            if challenge_method != "S256" or not challenge or expected != challenge:
                self.pkce_refusals += 1
                return self._json(start_response, "400 Bad Request", {"error": "invalid_grant"})
            environ["wsgi.input"] = io.BytesIO(body)
            if self.tamper_payload is not None:
                return self._tampered(environ, start_response)
        return self.app(environ, start_response)

    def _recording(self, query, start_response):
        def recording_start_response(status, headers, exc_info=None):
            location = dict(headers).get("Location", "")
            code = parse_qs(urlparse(location).query).get("code", [None])[0]
            if code:
                with self.lock:
                    self.challenges[code] = (
                        query.get("code_challenge"),
                        query.get("code_challenge_method"),
                    )
            return start_response(status, headers, exc_info)

        return recording_start_response

    def _tampered(self, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        token = json.loads(body)
        header, payload, signature = token["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(self.tamper_payload)
        token["id_token"] = ".".join([header, _b64url(json.dumps(claims).encode()), signature])
        return self._json(start_response, captured["status"], token)

    @staticmethod
    def _json(start_response, status, data):
        body = json.dumps(data).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]


class Provider:
    """The running provider: its issuer URL, and helpers to register users and to act as the
    person at its login form."""

    def __init__(self, server, wrapper):
        self.server = server
        self.wrapper = wrapper
        self.issuer = f"http://127.0.0.1:{server.server_port}"

    def set_user(self, sub: str, claims: dict) -> None:
        response = requests.put(
            f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=5
        )
        assert response.status_code == 204, response.text

    def authorize(self, authorize_url: str, sub: str) -> str:
        """Sign in as `sub` at the provider's form; returns the redirect back to the app."""
        assert authorize_url.startswith(self.issuer), authorize_url
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]


@contextlib.contextmanager
def running_provider():
    # Authlib refuses plain http unless told; the provider listens on loopback only.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    app = oidc_provider_mock.app(require_nonce=True)
    wrapper = ProviderWrapper(app.wsgi_app)
    app.wsgi_app = wrapper
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield Provider(server, wrapper)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
