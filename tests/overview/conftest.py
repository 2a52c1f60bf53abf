"""Fixtures for the overview tests."""

import pytest

from tests.overview.builders import build_fund


@pytest.fixture
def fund(ks_user):
    return build_fund(ks_user)
