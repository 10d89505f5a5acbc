"""`make test` on a machine where PostgreSQL and Redis are installed but not running (issue 19):
tools/test_services.py starts throwaway instances on free ports, runs the command against them, and
stops and deletes them afterwards; without the programs it says in one line how to install them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

TOOL = Path(settings.BASE_DIR) / "tools" / "test_services.py"

PROBE = """
import os, sys, psycopg, redis
from urllib.parse import urlsplit
db = urlsplit(os.environ["DATABASE_URL"])
with psycopg.connect(host=db.hostname, port=db.port, user=db.username, dbname=db.path.lstrip("/")) as conn:
    conn.execute("CREATE TABLE probe (id int PRIMARY KEY)")
    conn.execute("INSERT INTO probe VALUES (1)")
    assert conn.execute("SELECT count(*) FROM probe").fetchone()[0] == 1
assert redis.Redis.from_url(os.environ["REDIS_URL"]).ping()
print("PORTS", db.port, urlsplit(os.environ["REDIS_URL"]).port, os.environ["DATABASE_URL"])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_services_not_running_are_started_for_the_run_and_removed_after():
    # a directory the postgres user can reach (pytest's tmp_path is private to root)
    tmp_path = Path(tempfile.mkdtemp(prefix="svc-test-", dir="/tmp"))
    dead_db, dead_redis = _free_port(), _free_port()
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead_db}/test",
           "REDIS_URL": f"redis://127.0.0.1:{dead_redis}/2", "TMPDIR": str(tmp_path)}
    os.chmod(tmp_path, 0o777)
    result = subprocess.run([sys.executable, str(TOOL), "--", sys.executable, "-c", PROBE], env=env,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("PORTS"))
    _, pg_port, redis_port, url = line.split()
    assert int(pg_port) != dead_db and int(redis_port) != dead_redis and url.endswith("/test")
    assert "throwaway PostgreSQL" in result.stderr and "throwaway Redis" in result.stderr
    assert not _listening(int(pg_port)) and not _listening(int(redis_port))  # stopped afterwards
    assert not list(tmp_path.glob("termsops-services-*"))  # and deleted
    tmp_path.rmdir()


def test_running_services_are_used_as_they_are():
    result = subprocess.run([sys.executable, str(TOOL), "--", sys.executable, "-c",
                             "import os; print(os.environ['DATABASE_URL'])"],
                            env={**os.environ}, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "throwaway" not in result.stderr
    assert result.stdout.strip() == os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")


def test_a_missing_program_is_named_with_how_to_install_it():
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0", "PATH": "/nonexistent"}
    result = subprocess.run([sys.executable, str(TOOL), "--", sys.executable, "-c", "print('ran')"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 3 and "ran" not in result.stdout
    message = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(message) == 1 and "apt-get install redis-server" in message[0]
    assert "docker compose up -d redis" in message[0]
