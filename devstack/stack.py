"""`make dev`: the whole product on this machine, in the foreground; Ctrl-C stops everything it started."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from devstack.local_aws import LocalAws, port_in_use

ROOT = Path(__file__).resolve().parent.parent


def _say(message: str) -> None:
    sys.stdout.write(f"[make dev] {message}\n")
    sys.stdout.flush()


def _state_dir() -> Path:
    path = Path(os.environ.get("LOCAL_STATE_DIR") or ROOT / ".local").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(state: Path) -> str:
    path = state / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _wait_http(url: str, timeout_s: float, proc: subprocess.Popen[Any] | None = None) -> bool:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    return False


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the stack process dies (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


class Stack:
    """Owns moto, the dispatcher and the child processes; stops them in reverse order."""

    def __init__(self) -> None:
        self.state = _state_dir()
        self.api_port = int(os.environ.get("API_PORT", "8000"))
        self.moto_port = int(os.environ.get("MOTO_PORT", "4566"))
        self.console_port = int(os.environ.get("CONSOLE_PORT", "5173"))
        self.smtp_port = int(os.environ.get("SMTP_PORT", "2525"))
        self.smtp: Any = None
        self.children: list[tuple[str, subprocess.Popen[Any]]] = []
        self.local_aws: LocalAws | None = None
        self.dispatcher: Any = None
        self._stopping = threading.Event()
        self._stop_requested = False

    def environment(self, endpoint: str) -> dict[str, str]:
        """The settings every local process shares."""
        return {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "STAGE": "dev",
            "RESOURCE_PREFIX": os.environ.get("RESOURCE_PREFIX", "helpdesk-dev"),
            "SECRET_KEY": _secret_key(self.state),
            "CORS_ORIGIN": f"http://127.0.0.1:{self.console_port}",
            "LOCAL_STATE_DIR": str(self.state),
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }

    def up(self) -> int:
        """Start everything and block until a signal arrives."""
        for name, port in (("API_PORT", self.api_port), ("MOTO_PORT", self.moto_port), ("SMTP_PORT", self.smtp_port)):
            if port_in_use(port):
                _say(f"port {port} ({name}) is already in use: stop what uses it or set {name}=<free port>")
                return 2
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        threading.Thread(target=self._watch_parent, args=(os.getppid(),), daemon=True).start()
        try:
            self._start()
            while not self._stop_requested and not self._stopping.is_set():
                time.sleep(0.2)
        finally:
            self.down()
        return 0

    def _on_signal(self, signum: int, frame: Any) -> None:
        # Only a plain assignment here: taking a lock inside a signal handler (Event.set) can deadlock with the
        # main thread if the signal lands while that thread holds the same lock.
        self._stop_requested = True

    def _watch_parent(self, parent: int) -> None:
        # If whatever started us (make) is killed without passing the signal on, stop instead of lingering.
        while not self._stopping.wait(1):
            if os.getppid() != parent:
                _say("parent process is gone; stopping")
                self._stopping.set()

    def _start(self) -> None:
        started = time.time()
        journal = self.state / "aws-journal.jsonl"
        self.local_aws = LocalAws(port=self.moto_port, journal_path=journal).start()
        env = self.environment(self.local_aws.endpoint)
        os.environ.update(env)

        from chalicelib.config import get_settings
        from infra import bootstrap

        settings = get_settings()
        bootstrap.create_tables(settings)
        bootstrap.create_queues(settings)
        bootstrap.create_buckets(settings)
        bootstrap.create_mail_identity(settings)
        replayed = self.local_aws.replay_journal()
        bootstrap.configure_notifications(settings)
        self.local_aws.start_recording()
        _say(f"local AWS (moto server) on {self.local_aws.endpoint}; restored {replayed} writes from {journal}")

        from devstack.seed import ensure_admin, ensure_ai_taxonomy, ensure_sample_kb

        email, password = ensure_admin(self.state)
        if ensure_ai_taxonomy():
            _say("seeded a demo AI taxonomy (8 categories); the classifier trains in the background")

        import app as app_module
        from devstack.dispatcher import Dispatcher

        self.dispatcher = Dispatcher(app_module.app, settings,
                                     schedule_scale=float(os.environ.get("SCHEDULE_SCALE", "1")))
        for line in self.dispatcher.start():
            _say(f"dispatcher: {line}")
        from devstack import smtp

        self.smtp = smtp.start(settings, port=self.smtp_port)
        _say(f"SMTP     127.0.0.1:{self.smtp_port} (mail to {settings.mail.support_email} becomes a ticket; "
             f"sent mail is written to {settings.mail.sent_dir})")
        uploaded = ensure_sample_kb()
        if uploaded:
            _say(f"uploaded {uploaded} sample knowledge-base articles (kb_loader/samples); they are ingested "
                 "in the background")

        api = subprocess.Popen(
            [str(Path(sys.executable).with_name("chalice")), "local", "--host", "127.0.0.1",
             "--port", str(self.api_port), "--stage", "dev", "--no-autoreload"],
            cwd=ROOT, env={**os.environ, **env}, preexec_fn=_die_with_parent,
        )
        self.children.append(("api", api))
        if not _wait_http(f"http://127.0.0.1:{self.api_port}/health", 120, api):
            raise RuntimeError("the API did not come up; see the output above")
        console = self._start_console(env)
        _say(f"ready in {time.time() - started:.1f}s")
        _say(f"API      http://127.0.0.1:{self.api_port}   (docs: http://127.0.0.1:{self.api_port}/docs)")
        if console:
            _say(f"console  http://127.0.0.1:{self.console_port}")
        _say(f"sign in  {email} / {password}")
        token_file = self.state / "admin-token"
        _say(f'token    {token_file}  (curl -H "Authorization: Bearer $(cat {token_file})" ...)')
        _say("Ctrl-C stops everything.")

    def _start_console(self, env: dict[str, str]) -> bool:
        vite = ROOT / "frontend" / "node_modules" / ".bin" / "vite"
        if os.environ.get("CONSOLE", "1") == "0" or not vite.exists():
            return False
        proc = subprocess.Popen(
            [str(vite), "--host", "127.0.0.1", "--port", str(self.console_port), "--strictPort"],
            cwd=ROOT / "frontend",
            env={**os.environ, **env, "API_PROXY_TARGET": f"http://127.0.0.1:{self.api_port}"},
            preexec_fn=_die_with_parent,
        )
        self.children.append(("console", proc))
        return _wait_http(f"http://127.0.0.1:{self.console_port}/", 60, proc)

    def down(self) -> None:
        """Stop children, the dispatcher and moto."""
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                proc.terminate()
        for _name, proc in reversed(self.children):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.children.clear()
        if self.smtp is not None:
            self.smtp.stop()
        if self.dispatcher is not None:
            self.dispatcher.stop()
        if self.local_aws is not None:
            self.local_aws.stop()
        _say("stopped")


def main() -> int:
    """Entry point for `python -m devstack up`."""
    return Stack().up()
