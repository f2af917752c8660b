"""Shared fixtures. ``prefect_api``: ONE temporary Prefect server for the whole session (it takes
~10 s to start), for tests that run flows in-process; opt in by naming the fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()
