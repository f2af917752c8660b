"""Imported by the extraction workers' fork server (``pipeline.runs.isolate``) before its first
fork: the libraries and the language pipeline every extraction needs, loaded once in a clean
single-threaded process, so that every worker starts with them (shared copy-on-write) and
inherits no lock held by another thread."""

import gc

from pipeline.runs import extract  # noqa: F401 - the worker's entry points
from pipeline.runs.isolate import preload

try:
    preload()
except Exception:  # noqa: BLE001 - a failed preload must not kill the server: workers load lazily
    pass

# the workers' garbage collector would write to every object loaded here (its header), turning
# the pages the workers share with this server into private copies in each of them: the loaded
# objects are moved out of its reach (they live as long as the server anyway)
gc.collect()
gc.freeze()
