"""Task-runner selection for the CPU-bound step (extract + normalize).

One setting decides where extraction runs:

- no Dask address (the default): a local ``ProcessPoolTaskRunner`` with ``workers`` processes
  (2 by default: both cores of the reference machine);
- a Dask scheduler address (the flow parameter ``dask_address``, or the environment variable
  ``DECREE_DASK_ADDRESS`` when the parameter is empty, e.g. set in a deployment's
  ``job_variables.env``): ``prefect_dask.DaskTaskRunner(address=...)`` on that EXISTING cluster.
  The cluster's workers must be able to import this project (same code, same environment).

Worker processes report their task runs to the same Prefect API as the flow: when no
``PREFECT_API_URL`` is configured (a plain ``run_ingest`` without a server), ``shared_api`` points
them at the flow's own temporary server instead of letting each start its own.

Fetching is I/O-bound and stays on the flow's own thread pool (``FETCH_THREADS``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

DASK_ADDRESS_ENV = "DECREE_DASK_ADDRESS"
DEFAULT_WORKERS = 2
FETCH_THREADS = 4


def dask_address_setting(dask_address: str | None = None) -> str | None:
    """The Dask scheduler address to use: the explicit one, else ``$DECREE_DASK_ADDRESS``, else None."""
    address = (dask_address or os.environ.get(DASK_ADDRESS_ENV) or "").strip()
    return address or None


def extraction_runner(dask_address: str | None = None, workers: int = DEFAULT_WORKERS) -> TaskRunner:
    """The task runner for extraction: Dask on an existing cluster when an address is set,
    else a local process pool of ``workers`` processes. Not started: use it as a context manager."""
    address = dask_address_setting(dask_address)
    if address is not None:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=address)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    return ProcessPoolTaskRunner(max_workers=workers)


def fetch_runner() -> TaskRunner:
    """The flow's own task runner, used for fetching (I/O-bound): a small thread pool."""
    return ThreadPoolTaskRunner(max_workers=FETCH_THREADS)


def describe(dask_address: str | None = None, workers: int = DEFAULT_WORKERS) -> str:
    """Where extraction runs, in words, for logs and artifacts."""
    address = dask_address_setting(dask_address)
    return f"Dask cluster at {address}" if address else f"local process pool ({workers} workers)"


@contextmanager
def shared_api() -> Iterator[str]:
    """Within the block, ``PREFECT_API_URL`` is set, so that worker processes (process pool, Dask)
    report to the flow's API. With a configured API this changes nothing; without one it is the
    temporary local server Prefect started for this process (``SubprocessASGIServer``, a per-process
    singleton: the one the flow itself already uses)."""
    url = PREFECT_API_URL.value()
    if url:
        yield url
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()  # already running when called inside a flow: returns at once
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield server.api_url
