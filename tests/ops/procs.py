"""Real processes for operations tests: app nodes (`autotrade serve`), workers, CLI commands.

Every process started here runs in its own session and is stopped by the fixture's finalizer
(SIGTERM, then SIGKILL after a bounded wait), whatever the test did. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from autotrade.core.settings import Settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_ENV = "AUTOTRADE_TEST_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# `python -m autotrade` from the interpreter running the tests: the project's virtualenv.
AUTOTRADE = [sys.executable, "-m", "autotrade"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def app_env(settings: Settings, **extra: Any) -> dict[str, str]:
    """The environment of a child process: the test settings as ``AUTOTRADE_*`` variables, plus
    ``extra`` (``login_rate_limit=6`` → ``AUTOTRADE_LOGIN_RATE_LIMIT=6``). Inherited ``AUTOTRADE_*``
    variables are dropped so nothing from the developer's shell leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOTRADE_")}
    values: dict[str, Any] = {
        "env": settings.env,
        "database_url": settings.database_url,
        "secret_key": settings.secret_key,
        "field_keys": settings.field_keys,
        "field_key_active": settings.field_key_active,
        "blind_index_key": settings.blind_index_key,
        "log_json": "false",
        "log_level": "WARNING",
    }
    values.update(extra)
    for k, v in values.items():
        if v is not None:
            env[f"AUTOTRADE_{k.upper()}"] = str(v)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> int:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
        return int(self.popen.returncode)


class Procs:
    """Starts processes and remembers them so the finalizer can stop every one."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: list[Proc] = []

    def start(self, name: str, args: list[str], env: Mapping[str, str], port: int | None = None) -> Proc:
        log_path = self.workdir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                args,
                env=dict(env),
                cwd=self.workdir,  # no stray .env file from the repository
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = Proc(name, popen, log_path, port)
        self.started.append(proc)
        return proc

    def serve(self, name: str, env: Mapping[str, str], timeout: float = 60.0) -> Proc:
        """`autotrade serve` on a free port of 127.0.0.1, returned once /readyz says ok."""
        port = free_port()
        proc = self.start(name, [*AUTOTRADE, "serve", "--host", "127.0.0.1", "--port", str(port)], env, port)
        wait_ready(proc, timeout)
        return proc

    def stop_all(self) -> None:
        for p in self.started:
            p.stop()


def wait_ready(proc: Proc, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if not proc.alive():
            pytest.fail(f"{proc.name} exited with {proc.popen.returncode} before it was ready:\n{proc.log()}")
        try:
            r = httpx.get(f"{proc.url}/readyz", timeout=2.0)
            if r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}:
                return
            last = f"{r.status_code} {r.text[:200]}"
        except httpx.HTTPError as e:
            last = repr(e)
        time.sleep(0.2)
    pytest.fail(f"{proc.name} not ready after {timeout} s (last: {last}):\n{proc.log()}")


def wait_until(
    predicate: Any, timeout: float, interval: float = 0.2, what: str = "condition", proc: Proc | None = None
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds (with the
    log of ``proc``, the process expected to make it true)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            log = f":\n{proc.name} log:\n{proc.log()}" if proc is not None else ""
            pytest.fail(f"timed out after {timeout} s waiting for {what}{log}")
        time.sleep(interval)


def run_cli(
    args: list[str], env: Mapping[str, str], cwd: Path, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run one `autotrade …` command to its end (bounded), stdin closed."""
    return subprocess.run(
        [*AUTOTRADE, *args],
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Procs]:
    p = Procs(tmp_path)
    try:
        yield p
    finally:
        p.stop_all()


# ---- Redis --------------------------------------------------------------------------------------------


def redis_base_url() -> str:
    return os.environ.get(REDIS_ENV) or DEFAULT_REDIS_URL


@dataclass
class RedisDb:
    """A Redis database reserved for one test (a lock key in it), flushed when the test ends."""

    url: str
    client: Any


@pytest.fixture
def redis_db() -> Iterator[RedisDb]:
    """Reserve a free logical Redis database for this test. Skips without Redis unless CI=true."""
    import redis

    base = redis_base_url()
    try:
        probe = redis.Redis.from_url(base, socket_timeout=3, socket_connect_timeout=3)
        probe.ping()
    except Exception as e:
        if IN_CI:
            pytest.fail(f"CI=true but Redis at {base} does not answer ({e}); set {REDIS_ENV}")
        pytest.skip(f"Redis at {base} does not answer ({e}); set {REDIS_ENV}=redis://127.0.0.1:6379/15")
    kw = probe.connection_pool.connection_kwargs
    host, port, first = kw.get("host", "127.0.0.1"), int(kw.get("port", 6379)), int(kw.get("db") or 15)
    probe.close()
    token = uuid.uuid4().hex
    # Other test runs on the same server (developers, CI) may hold a database: take one nobody holds.
    for n in [first, *(i for i in range(15, 0, -1) if i != first)]:
        client = redis.Redis(host=host, port=port, db=n, socket_timeout=5)
        if client.set("autotrade-test:lock", token, nx=True, ex=600):
            url = f"redis://{host}:{port}/{n}"
            try:
                yield RedisDb(url, client)
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    pytest.fail(f"no free Redis database at {base}: every one holds an autotrade-test lock")
