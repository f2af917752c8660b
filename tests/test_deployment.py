"""The deployment: prefect.yaml's content, and a REAL round trip — `prefect server start` on
127.0.0.1, a process work pool, `prefect deploy` from (a copy of) prefect.yaml, a process worker,
a run triggered through the REST API, the published data checked."""

from __future__ import annotations

import inspect
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

import pipeline

ROOT = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))
DEPLOYMENT = "nightly-samples"
POOL = "decree-process"
SAMPLES = ["compact/daklak-2026-letter", "compact/camau-2025-plan"]
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _config() -> dict:
    return yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))


def _deployment(config: dict) -> dict:
    return next(d for d in config["deployments"] if d["name"] == DEPLOYMENT)


def test_prefect_yaml_schedules_the_ingest_flow_nightly_in_vietnam_time() -> None:
    from flows.ingest import ingest_flow

    dep = _deployment(_config())
    path, name = dep["entrypoint"].split(":")
    assert (ROOT / path).is_file() and name == ingest_flow.fn.__name__
    assert [(s["cron"], s["timezone"], s["active"]) for s in dep["schedules"]] == [("0 2 * * *", "Asia/Ho_Chi_Minh",
                                                                                    True)]
    assert dep["work_pool"]["name"] == POOL
    params = inspect.signature(ingest_flow.fn).parameters
    assert set(dep["parameters"]) <= set(params)
    assert dep["parameters"]["sources"] == ["data/samples/manifest.yaml"]
    assert all((ROOT / s).is_file() for s in dep["parameters"]["sources"])
    assert dep["parameters"]["workers"] == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process this test started, and the children it started (its own session)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class _Stack:
    """The server and the worker of one test, stopped on exit even when the test fails."""

    def __init__(self, tmp: Path) -> None:
        port = _free_port()
        self.api = f"http://127.0.0.1:{port}/api"
        self.port = port
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        self.env.update({
            "PREFECT_HOME": str(tmp / "prefect-home"), "PREFECT_API_URL": self.api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
            # the nightly schedule is stored but creates no runs during the test
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "1",
        })
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        out = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen([PREFECT, *args], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def cli(self, *args: str, cwd: Path = ROOT) -> str:
        done = subprocess.run([PREFECT, *args], cwd=cwd, env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def stop(self) -> None:
        for proc in reversed(self.procs):
            _stop(proc)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[_Stack]:
    s = _Stack(tmp_path)
    try:
        yield s
    finally:
        s.stop()


def _wait_healthy(stack: _Stack, server: subprocess.Popen) -> None:
    for _ in range(600):  # bounded: 600 polls of 0.5 s at most
        assert server.poll() is None, f"prefect server exited:\n{stack.log('server')}"
        try:
            if httpx.get(f"{stack.api}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"prefect server never became healthy:\n{stack.log('server')}")


def _sample_manifest(tmp: Path) -> Path:
    sample = yaml.safe_load((ROOT / "data" / "samples" / "manifest.yaml").read_text(encoding="utf-8"))
    docs = [dict(d, source=str(ROOT / "data" / "samples" / d["source"])) for d in sample["documents"]
            if d["id"] in SAMPLES]
    assert len(docs) == len(SAMPLES)
    path = tmp / "manifest.yaml"
    path.write_text(yaml.safe_dump({"documents": docs}, allow_unicode=True), encoding="utf-8")
    return path


def test_deploy_and_run_on_a_real_prefect_server(stack: _Stack, tmp_path: Path) -> None:
    server = stack.start("server", "server", "start", "--host", "127.0.0.1", "--port", str(stack.port))
    _wait_healthy(stack, server)
    stack.cli("work-pool", "create", POOL, "--type", "process")

    # the repository's prefect.yaml, with parameters pointing at a small manifest and a tmp data dir
    config = _config()
    dep = _deployment(config)
    data_dir = tmp_path / "data"
    dep["parameters"] = dict(dep["parameters"], sources=[str(_sample_manifest(tmp_path))], data_dir=str(data_dir))
    prefect_file = tmp_path / "prefect.yaml"
    prefect_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    stack.cli("deploy", "--prefect-file", str(prefect_file), "--name", DEPLOYMENT, "--no-prompt")

    api = httpx.Client(base_url=stack.api, timeout=30)
    deployment = api.get(f"/deployments/name/ingest/{DEPLOYMENT}").raise_for_status().json()
    assert deployment["work_pool_name"] == POOL
    schedules = api.get(f"/deployments/{deployment['id']}/schedules").raise_for_status().json()
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in schedules] == [("0 2 * * *",
                                                                                         "Asia/Ho_Chi_Minh")]
    assert api.get(f"/work_pools/{POOL}").raise_for_status().json()["type"] == "process"

    worker = stack.start("worker", "worker", "start", "--pool", POOL, "--type", "process")
    run = api.post(f"/deployments/{deployment['id']}/create_flow_run", json={}).raise_for_status().json()
    state: dict = {}
    for _ in range(900):  # bounded: 900 polls of 1 s at most
        state = api.get(f"/flow_runs/{run['id']}").raise_for_status().json()["state"] or {}
        if state.get("type") in TERMINAL:
            break
        assert worker.poll() is None, f"worker exited:\n{stack.log('worker')}"
        time.sleep(1)
    assert state.get("type") == "COMPLETED", f"flow run ended {state}:\n{stack.log('worker')}"
    assert state["name"] == "Completed" and "2 of 2 documents published" in state["message"]

    docs = pipeline.load("documents", data_dir=data_dir)
    assert sorted(docs["file_name"]) == ["camau-2025-plan.pdf", "daklak-2026-letter.pdf"]
    assert len(pipeline.load("plan_tasks", data_dir=data_dir)) > 0
    arts = api.post("/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}).json()
    assert {"ingest-summary", "ingest-quality-checks", "ingest-release-diff"} <= {a["key"] for a in arts}
