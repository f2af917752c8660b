"""The extraction worker (pipeline/runs/isolate.py) with processes of its own, as the OCR stage
starts a page pool inside it: the pool is allowed, its memory counts against the worker's limit,
and a worker killed at a limit takes its pool processes with it."""

from __future__ import annotations

import ast
import multiprocessing as mp
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from pipeline.core.errors import ResourceLimitExceeded
from pipeline.runs import isolate
from pipeline.runs.isolate import ExtractionLimits


def _square(x: int) -> int:
    return x * x


def _hold(megabytes: int, pid_file: str) -> int:
    Path(pid_file).write_text(str(os.getpid()))
    block = bytearray(megabytes * 1024 * 1024)
    for i in range(0, len(block), 4096):  # touch every page: resident, private
        block[i] = 1
    time.sleep(3600)
    return len(block)


def _sleep(pid_file: str) -> None:
    Path(pid_file).write_text(str(os.getpid()))
    time.sleep(3600)


def pool_of_squares(n: int) -> list[int]:
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) as pool:
        return list(pool.map(_square, range(n)))


def pool_holding(megabytes: int, pid_file: str) -> int:
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork")) as pool:
        return pool.submit(_hold, megabytes, pid_file).result()


def pool_sleeping(pid_file: str) -> None:
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork")) as pool:
        pool.submit(_sleep, pid_file).result()


def _gone(pid: int) -> bool:
    """Whether ``pid`` ended (waiting up to 5 s); a survivor is killed here, so that a failing test
    leaves no orphan behind."""
    for _ in range(100):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] == "Z":  # a zombie waiting for init: dead
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    os.kill(pid, 9)
    return False


def test_a_worker_may_run_a_process_pool() -> None:
    # the OCR stage of a multi-page scan: multiprocessing refuses children to a daemonic process
    assert isolate.call(pool_of_squares, 6) == [0, 1, 4, 9, 16, 25]


def test_the_pools_memory_counts_against_the_worker_limit_and_the_pool_dies_with_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "pool.pid"
    limits = ExtractionLimits(memory_mb=150, seconds_per_document=120, seconds_base=120)
    with pytest.raises(ResourceLimitExceeded, match="memory limit of 150 MB"):
        isolate.call(pool_holding, 400, str(pid_file), limits=limits)
    assert _gone(int(pid_file.read_text()))


def test_a_worker_killed_at_its_time_limit_takes_its_pool_with_it(tmp_path: Path) -> None:
    # a pool that waits without computing: the wall-clock backstop (here 1 × the budget) ends it
    pid_file = tmp_path / "pool.pid"
    limits = ExtractionLimits(seconds_base=3, seconds_per_page=1, seconds_per_document=3, wall_factor=1)
    with pytest.raises(ResourceLimitExceeded, match="wall-clock"):
        isolate.call(pool_sleeping, str(pid_file), limits=limits)
    assert _gone(int(pid_file.read_text()))


def _spin(seconds: float) -> int:
    n, end = 0, time.process_time() + seconds
    while time.process_time() < end:
        n += 1
    return n


def pool_spinning(seconds: float) -> list[int]:
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) as pool:
        return list(pool.map(_spin, [seconds, seconds]))


def test_the_time_limit_counts_the_cpu_of_the_worker_and_its_pool() -> None:
    # a loop (as in a PDF library on a cyclic document) burns CPU: the limit counts CPU seconds of
    # the whole tree, so a slow machine does not kill a legitimate document, a loop is still ended
    limits = ExtractionLimits(seconds_base=2, seconds_per_page=1, seconds_per_document=2, wall_factor=1000)
    with pytest.raises(ResourceLimitExceeded, match="s of CPU exceeded"):
        isolate.call(pool_spinning, 3600.0, limits=limits)
    assert isolate.call(pool_spinning, 0.2, limits=limits)  # 0.4 s of CPU in all: within the limit


_HELD = threading.Lock()


def square_under_lock(x: int) -> int:
    with _HELD:
        return x * x


def test_a_worker_does_not_inherit_a_lock_another_thread_holds() -> None:
    # the run starts workers from a process with threads (document threads, a Prefect server); a
    # plain fork copies a lock held by another thread at that instant, locked forever in the child
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with _HELD:
            held.set()
            release.wait()

    t = threading.Thread(target=holder)
    t.start()
    held.wait()
    try:
        limits = ExtractionLimits(idle_seconds=10)
        assert isolate.call(square_under_lock, 7, limits=limits) == 49
    finally:
        release.set()
        t.join()


def wait_forever() -> None:
    threading.Event().wait()


def test_a_worker_that_waits_without_computing_is_ended_as_making_no_progress() -> None:
    # the CPU limit never fires for a blocked worker; the wall-clock backstop is 10x the page budget
    limits = ExtractionLimits(idle_seconds=1)
    with pytest.raises(ResourceLimitExceeded, match="no progress"):
        isolate.call(wait_forever, limits=limits)


PROGRAM = '''
import heavy
from pipeline.runs import isolate


def where():
    return heavy.LOADED_IN


if __name__ == "__main__":
    import prog
    print([isolate.call(prog.where) for _ in range(3)])
'''


def test_a_program_started_by_module_name_is_loaded_once_for_all_workers(tmp_path: Path) -> None:
    # Prefect's process worker starts a flow run as ``python -m prefect.engine``; multiprocessing
    # runs that main module again in every worker a fork server starts, and its imports took
    # seconds a document: the server loads it once, every worker finds its imports loaded
    log = tmp_path / "loads.txt"
    (tmp_path / "heavy.py").write_text(f"import os\nLOADED_IN = os.getpid()\n"
                                       f"with open({str(log)!r}, 'a') as f:\n    f.write(f'{{LOADED_IN}}\\n')\n")
    (tmp_path / "prog.py").write_text(PROGRAM)
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(repo)])}
    done = subprocess.run([sys.executable, "-m", "prog"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          check=True)
    loaded = log.read_text().split()
    assert len(loaded) == 2, (loaded, done.stdout)  # the program, the fork server: no worker
    workers_saw = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert set(map(str, workers_saw)) <= set(loaded) and str(workers_saw[0]) != str(os.getpid())
