"""A PostgreSQL cluster and a Redis of a run's own, on free ports of 127.0.0.1, in temporary folders.

The fault suite stops, stalls and locks these, so it never uses the machine's shared servers (5432,
6379). initdb refuses to run as root, so when the suite runs as root the cluster belongs to the
`postgres` account (its commands run through `runuser`). Both are context managers that stop their
server and delete its folder on the way out, whatever happened inside.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from bench.server import free_port

POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
CLUSTER_OWNER = "postgres"  # the OS account that owns the cluster when the suite runs as root
COMMAND_TIMEOUT_S = 120


class PrivateServer:
    """A server of the run's own, for a `with` block: opened on the way in, closed on the way out, and closed
    too when opening fails half-way."""

    def open(self) -> None:
        """Start it and wait until it answers."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop it and remove what it left."""
        raise NotImplementedError

    def __enter__(self):
        try:
            self.open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class PrivatePostgres(PrivateServer):
    """A throwaway cluster: `start`, `stop(mode)`, `create_database`; `close` stops it and deletes it."""

    def __init__(self):
        self.port = free_port()
        # in the system's temporary folder (world-traversable), not inside a root-only one
        self.folder = Path(tempfile.mkdtemp(prefix="saring-faults-postgres-"))
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, CLUSTER_OWNER, CLUSTER_OWNER)
            self.as_owner = ["runuser", "-u", CLUSTER_OWNER, "--"]
        self.data = self.folder / "data"

    def open(self) -> None:
        """A new cluster in its folder, started."""
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--no-sync", "--no-instructions")
        self.start()

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        """One of PostgreSQL's programs, as the cluster's owner; raises with its output when it fails."""
        done = subprocess.run([*self.as_owner, str(POSTGRES_BIN / program), *args], cwd=self.folder,
                              capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
        if done.returncode:
            raise RuntimeError(f"{program} {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done

    def start(self) -> None:
        """Start the server and wait until it takes connections (durability is not under test: no fsync)."""
        settings = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", settings,
                 "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `immediate` is a crash (no checkpoint, connections cut), `fast` a clean stop."""
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        """Whether the server is up."""
        return subprocess.run([*self.as_owner, str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "status"],
                              cwd=self.folder, capture_output=True, timeout=COMMAND_TIMEOUT_S).returncode == 0

    def create_database(self, name: str) -> str:
        """A new database on the cluster; its SQLAlchemy URL."""
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of `database` on this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        """Stop the server if it runs, and delete the cluster."""
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")  # nothing in it is kept, so no checkpoint to wait for
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis(PrivateServer):
    """A redis-server that keeps nothing on disk; `stall` freezes it (SIGSTOP), `resume` thaws it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Where the app finds it."""
        return f"redis://127.0.0.1:{self.port}/0"

    def open(self) -> None:
        """redis-server on its port, answering."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.folder), "--daemonize", "no"], stdout=log, stderr=subprocess.STDOUT)
        self.wait_until_it_answers()

    def wait_until_it_answers(self) -> None:
        """Ping until it answers (10 s at most)."""
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            for _ in range(100):
                with contextlib.suppress(redis.RedisError):
                    if client.ping():
                        return
                time.sleep(0.1)
            raise RuntimeError(f"redis-server on port {self.port} did not answer; see {self.folder / 'redis.log'}")
        finally:
            client.close()

    def stall(self) -> None:
        """Freeze the server: connections stay open and connecting still works, but nothing answers."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let a stalled server go on."""
        os.kill(self.process.pid, signal.SIGCONT)

    def close(self) -> None:
        """Stop the server (thawing it first, or it could not hear the request to stop)."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
