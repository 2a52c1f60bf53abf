"""Fixtures for invoicing: where the official EHF examples live, and media in a temp dir."""

from pathlib import Path

import pytest
from django.conf import settings

EHF_EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "ehf"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ehf_examples():
    files = sorted(EHF_EXAMPLES.glob("*.xml"))
    if not files:
        pytest.skip(f"the official EHF examples are not at {EHF_EXAMPLES}")
    return files
