"""Real HTTP servers for tests: `chalice local` as a subprocess against the session's moto server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack.local_aws import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def chalice_local(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Start `chalice local` on a free port; yields its base URL; stops it (and only it) afterwards."""
    port = free_port()
    env = {**os.environ, **(extra_env or {})}
    chalice = str(Path(sys.executable).with_name("chalice"))
    proc = subprocess.Popen([chalice, "local", "--host", "127.0.0.1", "--port", str(port), "--stage", "dev",
                             "--no-autoreload"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            if proc.poll() is not None:
                output = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                raise RuntimeError(f"chalice local exited: {output}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers (the tables may not exist yet)
            except Exception:  # noqa: BLE001 - not up yet
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
