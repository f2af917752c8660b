"""One document's extraction in its own process, under limits, so that a hostile or broken PDF
ends THAT document (a classified reject), never the run: a hang is killed at its time limit, a
memory blow-up (an inflate bomb) hits the worker's memory limit, and a crash of a native library
(a segfault in pdfium, OpenCV or Ghostscript) kills only the child.

Workers are forked by a multiprocessing *fork server*: a clean, single-threaded process started
once per run, which imports the libraries and loads the language pipeline (``pipeline.runs.preload``)
before its first fork, so every worker starts with them loaded and shares their pages
(copy-on-write). Workers are NOT forked from the calling process: it runs threads (the run's
document threads, the fetch pool, a Prefect server and its services), and a fork copies any lock
another thread holds at that instant, locked forever in the child — measured: a worker forked
while a Prefect server ran in the same process sat with no CPU until the wall-clock backstop
(1,200 s), and one forked from a document thread of the run hung the same way. The
function and its arguments travel pickled (module-level functions, by reference); the result
comes back pickled through a pipe.

    frames = call(document_datasets, path, source, limits=ExtractionLimits())
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from extractors.failures import unwrap
from pipeline.core.errors import ExtractionFailed, PipelineError, ResourceLimitExceeded, WorkerCrashed


@dataclass(frozen=True)
class ExtractionLimits:
    """Limits on one document's extraction.

    - ``max_bytes``: larger files are rejected before any parsing (default 200 MiB).
    - ``max_pages``: more pages are rejected when the document is opened (default 2000).
    - ``seconds_per_page`` and ``seconds_per_document``: the worker is killed when it and the
      processes it started have used ``min(seconds_per_document, seconds_base + seconds_per_page ×
      pages)`` seconds of CPU (defaults 60 s a page, a base of 30 s, 1800 s at most), pages being
      the document's page count as declared; or, as a backstop for a worker that waits without
      computing, ``wall_factor`` times that in wall-clock seconds (default 10). CPU time, not wall
      time: on a machine shared by other jobs a legitimate document is slow in wall time only
      (measured: with a 13 s wall limit every one-page document needing OCR was killed while eight
      sessions shared two cores; a 15-page scan was killed at the former 20 s a page of wall time),
      while a loop in a PDF library burns CPU and is stopped all the same.
    - ``idle_seconds``: a worker whose process tree uses no CPU at all for that long is killed
      (default 120 s): it waits on something that will not come (a lock, a dead pool process).
      An extraction never waits that long without computing; a slow machine slows a worker but
      does not stop its CPU clock.
    - ``memory_mb``: the private memory of the worker (what it does not share with the fork
      server) plus that of the processes it starts (the OCR page pool), polled every
      ``poll_seconds``; above it the worker and its processes are killed (default 700 MB). Its address space is
      capped too (RLIMIT_AS: ``memory_mb`` + ``address_space_headroom_mb`` over the inherited), so a
      single huge allocation (an inflate bomb) fails at once instead of swapping.
    - ``isolate``: False runs in the calling process (debugging), with no time or memory limit.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 2000
    seconds_per_page: float = 60.0
    seconds_base: float = 30.0
    seconds_per_document: float = 1800.0
    wall_factor: float = 10.0
    idle_seconds: float = 120.0
    memory_mb: int = 700
    address_space_headroom_mb: int = 1536
    poll_seconds: float = 0.05
    isolate: bool = True

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pages", "memory_mb"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"ExtractionLimits.{name} must be at least 1, got {getattr(self, name)}")
        for name in ("seconds_per_page", "seconds_base", "seconds_per_document", "poll_seconds", "wall_factor",
                     "idle_seconds"):
            if not float(getattr(self, name)) > 0:
                raise ValueError(f"ExtractionLimits.{name} must be positive, got {getattr(self, name)}")

    def seconds_for(self, pages: int | None) -> float:
        if pages is None:
            return self.seconds_per_document
        return min(self.seconds_per_document, self.seconds_base + self.seconds_per_page * max(1, pages))


DEFAULT_LIMITS = ExtractionLimits()


PRELOAD = "pipeline.runs.preload"


def _context() -> Any:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(preload_modules())  # read when the server starts; later calls change nothing
    return ctx


def preload_modules() -> list[str]:
    """What the fork server imports before its first fork: ours, and the calling program's main
    module when it was started by name (``python -m prefect.engine``, as Prefect's process worker
    starts a flow run): multiprocessing runs the main module again in every worker it starts from
    a server, and measured, importing ``prefect.engine`` takes seconds; imported once in the
    server, every worker finds it loaded. (It starts no thread when imported.) A ``__main__``
    module (``python -m pytest``) is never run again, so it is not loaded."""
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    extra = [name] if name and name != "__main__" and not name.endswith(".__main__") else []
    return [PRELOAD, *extra]


def warm() -> None:
    """Start the fork server and wait until it has loaded what every extraction needs (a no-op
    worker goes through it), so that the first document does not pay for it and a run can report
    the load on its own line. Cheap once done: the server lives as long as this process."""
    global _warm_in
    if _warm_in != os.getpid():
        _call(_nothing, ())
        _warm_in = os.getpid()


_warm_in: int | None = None


def _nothing() -> None:
    return None


def preload() -> None:
    """Load what every extraction needs (libraries, the language pipeline) in THIS process: run
    by the fork server before its first fork (``pipeline.runs.preload``)."""
    import camelot  # noqa: F401 - its native libraries (OpenCV, BLAS) mapped once, for the fork
    import pypdfium2  # noqa: F401

    from pipeline.parsing.nlp import get_nlp
    from pipeline.records import amendments, domain  # noqa: F401 - imported for the fork

    get_nlp()


def _vm_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    """Every process descended from ``pid`` (its children, theirs, ...), from /proc."""
    out: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{parent}/task/{tid}/children") as f:
                    kids = [int(x) for x in f.read().split()]
            except (OSError, ValueError):
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def _private_bytes(pid: int) -> int:
    """Memory only ``pid`` holds (private clean + dirty pages); the pages it shares with its parent
    (the fork server, the worker) are not counted."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        return 0
    return total


def tree_growth(pid: int) -> int:
    """The memory the worker ``pid`` and every process it started hold on their own: their private
    pages (USS). What the worker still shares with the fork server (the loaded libraries and
    models) is not its growth; a page it writes to becomes private and counts. The OCR stage runs
    a process pool inside the worker: its processes count too. (Resident size over the size at
    start is no measure here: a forked child maps the server's file-backed pages lazily, so its
    RSS at start leaves them out and grows as it touches them, with no memory added.)"""
    return sum(_private_bytes(p) for p in [pid, *_children(pid)])


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used by ``pid``, the children it has reaped, and every live
    process it started (the OCR pool, Tesseract), from /proc."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def _kill_tree(pid: int) -> None:
    """SIGKILL the worker and everything it started (OCR pool processes would outlive it)."""
    kids = _children(pid)
    for p in [pid, *kids]:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def _child(conn: Any, pages_box: Any, fn: Callable[..., Any], args: tuple, limits: ExtractionLimits,
           count_pages: Callable[[], int | None] | None) -> None:
    # the worker is daemonic (it must not outlive the run) but may start processes of its own (the
    # OCR page pool): multiprocessing refuses that to a daemon, so the flag is cleared in here;
    # ``call`` kills the worker's whole tree at a limit and reaps the worker
    mp.current_process()._config["daemon"] = False
    _die_with_parent()
    # the address space may grow by the memory limit plus room for the libraries a worker maps
    # (thread stacks, lazily loaded shared objects): measured, a tighter RLIMIT_AS makes OpenBLAS
    # and pdfium crash on ordinary documents; the private-memory poll enforces ``memory_mb``
    extra = (limits.memory_mb + limits.address_space_headroom_mb) * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + extra, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass
    try:
        if count_pages is not None:
            pages = count_pages()
            pages_box.value = -1 if pages is None else pages
        payload = ("ok", fn(*args))
    except BaseException as exc:  # sent to the parent, classified there
        exc = unwrap(exc)
        if isinstance(exc, MemoryError):
            exc = ResourceLimitExceeded(f"memory limit of {limits.memory_mb} MB exceeded (allocation refused: {exc})")
        payload = ("error", exc if _picklable(exc) else ExtractionFailed(f"{exc.__class__.__name__}: {exc}\n"
                                                                           + traceback.format_exc(limit=3)))
    try:
        conn.send_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    except MemoryError:
        conn.send_bytes(pickle.dumps(("error", ResourceLimitExceeded(
            f"memory limit of {limits.memory_mb} MB exceeded (sending the result)"))))
    finally:
        conn.close()
        os._exit(0)  # no atexit handlers, no flushing of inherited buffers


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when its parent (the fork server) ends: the server ends
    with the run, so a run killed with SIGKILL leaves no worker computing for nobody."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: the worker ends when its pipe closes
        pass


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
        return True
    except Exception:
        return False


@contextmanager
def _children_allowed() -> Iterator[None]:
    """Let a daemonic process (a Dask or process-pool worker) fork its extraction worker:
    multiprocessing refuses children to daemonic processes so that they are not orphaned; ours
    is killed and reaped by ``call`` before it returns."""
    me = mp.current_process()
    was = me.daemon
    if was:
        me._config["daemon"] = False  # the documented property asserts on a started process object
    try:
        yield
    finally:
        if was:
            me._config["daemon"] = True


def call(fn: Callable[..., Any], *args: Any, limits: ExtractionLimits = DEFAULT_LIMITS,
         count_pages: Callable[[], int | None] | None = None) -> Any:
    """``fn(*args)`` in a worker under ``limits``; its result, or its exception re-raised.
    ``count_pages`` (run in the worker first) gives the page count that sets the time limit.
    Raises ``ResourceLimitExceeded`` (time, memory) and ``WorkerCrashed`` (killed by a signal)."""
    return _call(fn, args, limits, count_pages)


def _call(fn: Callable[..., Any], args: tuple, limits: ExtractionLimits = DEFAULT_LIMITS,
          count_pages: Callable[[], int | None] | None = None) -> Any:
    if not limits.isolate:
        return fn(*args)
    ctx = _context()
    recv, send = ctx.Pipe(duplex=False)
    pages_box = ctx.Value("i", 0, lock=False)
    proc = ctx.Process(target=_child, args=(send, pages_box, fn, args, limits, count_pages), daemon=True)
    with _children_allowed():
        proc.start()
    t0 = last_busy = time.monotonic()
    send.close()
    data: bytes | None = None
    why: PipelineError | None = None
    cpu_seen = 0.0
    try:
        while True:
            if recv.poll(limits.poll_seconds):
                try:
                    data = recv.recv_bytes()
                except EOFError:  # the child died without sending
                    pass
                break
            pages = pages_box.value
            budget = limits.seconds_for(pages if pages > 0 else None)
            of = f" ({pages} pages)" if pages > 0 else ""
            cpu, now = tree_cpu_seconds(proc.pid), time.monotonic()
            if cpu > budget:
                why = ResourceLimitExceeded(f"time limit of {budget:.0f} s of CPU exceeded{of}")
                break
            if cpu > cpu_seen:
                cpu_seen, last_busy = cpu, now
            elif now - last_busy > limits.idle_seconds:
                why = ResourceLimitExceeded(f"no progress: the worker used no CPU for {limits.idle_seconds:.0f} s{of} "
                                            "(it waits on something that will not come)")
                break
            if now - t0 > budget * limits.wall_factor:
                why = ResourceLimitExceeded(f"time limit of {budget * limits.wall_factor:.0f} s of wall-clock time "
                                            f"exceeded{of} (the worker waited without computing)")
                break
            if tree_growth(proc.pid) > limits.memory_mb * 1024 * 1024:
                why = ResourceLimitExceeded(f"memory limit of {limits.memory_mb} MB exceeded (private memory of the worker and its processes)")
                break
            if not proc.is_alive() and not recv.poll(0):
                break
    finally:
        if proc.is_alive() and data is None:
            _kill_tree(proc.pid)
        proc.join()
        recv.close()
    if why is not None:
        raise why
    if data is None:
        code = proc.exitcode
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            if -code == signal.SIGKILL:
                raise ResourceLimitExceeded("the worker was killed (SIGKILL: out of memory, or killed from outside)")
            raise WorkerCrashed(f"the extraction worker crashed ({name}): a PDF library failed on this document")
        raise WorkerCrashed(f"the extraction worker exited ({code}) without a result")
    status, value = pickle.loads(data)
    if status == "error":
        raise value
    return value
