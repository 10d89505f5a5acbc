"""Run a command (the test suite) with PostgreSQL and Redis reachable (issue 19).

    python tools/test_services.py -- pytest -n 2

For each service: if it answers at the configured address (``DATABASE_URL``, ``REDIS_URL``; the test
settings' defaults otherwise) it is used as it is. If not, and its server program is installed, a
throwaway instance is started in a temporary directory on a free port, the command runs against it (the
URLs are exported to it), and the instance is stopped and deleted afterwards, whatever the outcome. If
the program is not installed either, one line says how to install it and the command does not run.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
INSTALL_POSTGRES = (
    "PostgreSQL is not running and not installed: `apt-get install postgresql` (Debian/Ubuntu), "
    "`brew install postgresql@15` (macOS) or `docker compose up -d db`"
)
INSTALL_REDIS = (
    "Redis is not running and not installed: `apt-get install redis-server` (Debian/Ubuntu), "
    "`brew install redis` (macOS) or `docker compose up -d redis`"
)


def say(message: str) -> None:
    print(f"[test-services] {message}", file=sys.stderr, flush=True)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    candidates += sorted(glob.glob(f"/opt/homebrew/opt/postgresql*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {seconds:.0f} s")


def _as_postgres_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` user when we are root."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root without runuser: cannot start a throwaway PostgreSQL")
    return [runuser, "-u", "postgres", "--", *command]


class Throwaway:
    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="termsops-services-"))
        self.stops: list[Callable[[], None]] = []

    def postgres(self, database: str) -> str:
        initdb, pg_ctl = find_program("initdb"), find_program("pg_ctl")
        if not initdb or not pg_ctl:
            raise LookupError(INSTALL_POSTGRES)
        data = self.workdir / "pg"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
            shutil.chown(data, "postgres")
        port = free_port()
        initialised = subprocess.run(
            _as_postgres_user([initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                               "--locale=C.UTF-8", "--no-sync"]),
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        if initialised.returncode != 0:
            raise RuntimeError(f"initdb failed in {data}: {initialised.stderr.strip()[-500:]}")
        options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_postgres_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(data / "server.log"), "-w",
                               "start"]),
            check=True, stdout=subprocess.DEVNULL,
        )
        def stop() -> None:
            subprocess.run(
                _as_postgres_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )

        self.stops.append(stop)
        wait_until(lambda: reachable("127.0.0.1", port), 30, "PostgreSQL")
        createdb = find_program("createdb")
        if createdb and database != "postgres":
            subprocess.run([createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database],
                           check=True)
        say(f"started a throwaway PostgreSQL on 127.0.0.1:{port} in {data}")
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def redis(self, db: str) -> str:
        server = shutil.which("redis-server")
        if not server:
            raise LookupError(INSTALL_REDIS)
        port = free_port()
        process = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )

        def stop() -> None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

        self.stops.append(stop)
        wait_until(lambda: reachable("127.0.0.1", port), 15, "Redis")
        say(f"started a throwaway Redis on 127.0.0.1:{port}")
        return f"redis://127.0.0.1:{port}/{db}"

    def close(self) -> None:
        for stop in reversed(self.stops):
            stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    env = dict(os.environ)
    database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = env.get("REDIS_URL") or DEFAULT_REDIS_URL
    db, cache = urlsplit(database_url), urlsplit(redis_url)
    services = Throwaway()
    try:
        try:
            if not reachable(db.hostname or "127.0.0.1", db.port or 5432):
                env["DATABASE_URL"] = services.postgres(db.path.lstrip("/") or "test")
            if not reachable(cache.hostname or "127.0.0.1", cache.port or 6379):
                env["REDIS_URL"] = services.redis(cache.path.lstrip("/") or "0")
        except LookupError as missing:
            say(str(missing))
            return 3
        return subprocess.call(argv, env=env)
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
