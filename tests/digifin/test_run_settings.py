"""`make run` serves as production does (issue 20 §2): DEBUG off whatever the environment says,
WhiteNoise's manifest storage, local hosts only; `make dev` keeps the debug server."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _run_settings(**env):
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, "
        "'static': settings.STORAGES['staticfiles']['BACKEND'], "
        "'root': str(settings.STATIC_ROOT), 'mw': settings.MIDDLEWARE}))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(DJANGO_SETTINGS_MODULE="digifin.settings.run", **env)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_run_settings_have_debug_off_even_if_the_environment_asks_for_it():
    values = _run_settings(DJANGO_DEBUG="true")
    assert values["debug"] is False
    assert values["hosts"] == ["127.0.0.1", "localhost"]


def test_run_settings_serve_static_files_through_whitenoise_as_production():
    values = _run_settings()
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["root"] == str(ROOT / "staticfiles")
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in values["mw"]


def test_make_run_uses_the_run_settings_and_gunicorn_and_make_dev_the_debug_server():
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun:" in makefile and "\tscripts/run.sh\n" in makefile
    assert "\ndev:" in makefile and "\tscripts/run.sh dev\n" in makefile
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "digifin.settings.run" in script and "collectstatic" in script
    assert "gunicorn digifin.wsgi:application" in script
    assert "digifin.settings.local" in script and "runserver" in script


def test_the_demo_key_of_make_run_is_refused_by_production():
    production = (ROOT / "digifin" / "settings" / "production.py").read_text()
    run = (ROOT / "digifin" / "settings" / "run.py").read_text()
    assert '"local-dev-only-not-secret"' in run
    assert '"local-dev-only-not-secret"' in production
