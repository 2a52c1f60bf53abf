"""docker-compose.yml agrees with the settings: every service is there, and the app services
set the variables the settings read. (No Docker engine runs here; the test command also runs
`docker-compose config -q`.)"""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _variables_read_by_settings() -> set[str]:
    text = "".join(p.read_text() for p in (ROOT / "digifin" / "settings").glob("*.py"))
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', text))


def test_compose_has_web_worker_beat_postgres_and_redis():
    services = _compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert services["web"]["ports"] == ["8000:8000"]
    assert "gunicorn digifin.wsgi:application" in services["web"]["command"]
    assert "celery -A digifin worker" in services["worker"]["command"]
    assert "celery -A digifin beat" in services["beat"]["command"]


def test_app_services_set_what_production_settings_require():
    compose = _compose()
    for name in ("web", "worker", "beat"):
        env = compose["services"][name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "digifin.settings.production"
        for required in ("DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"):
            assert required in env, f"{name} lacks {required}"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        unknown = set(env) - _variables_read_by_settings() - {"DJANGO_SETTINGS_MODULE"}
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"


def test_env_example_documents_every_variable_the_settings_read():
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert _variables_read_by_settings() <= documented
