"""moto in server mode, in this process, behind the journaling middleware (the embedded AWS)."""

from __future__ import annotations

import socket
import threading
import urllib.request
from pathlib import Path

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from devstack import moto_patches
from devstack.journal import Journal, JournalingMiddleware


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something already accepts connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


class _QuietHandler(MotoRequestHandler):
    """moto's request handler without one log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class LocalAws:
    """A moto server on 127.0.0.1:port, optionally journaling its writes to `journal_path`."""

    def __init__(self, port: int = 0, journal_path: Path | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_port(host)
        self.journal = Journal(journal_path) if journal_path else None
        moto_patches.apply()
        self.app = DomainDispatcherApplication(create_backend_app)
        self.middleware = JournalingMiddleware(self.app, self.journal or Journal(Path("/dev/null")))
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """The endpoint URL clients use (AWS_ENDPOINT_URL)."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalAws:
        """Serve in a background thread."""
        self._server = make_server(self.host, self.port, self.middleware, threaded=True,
                                   request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self

    def replay_journal(self) -> int:
        """Re-apply the journal (before recording starts). Returns the number of writes replayed."""
        if self.journal is None:
            return 0
        return self.journal.replay(self.app)

    def start_recording(self) -> None:
        """From now on, successful writes are journaled."""
        if self.journal is not None:
            self.journal.recording = True

    def reset(self) -> None:
        """Wipe every resource (tests)."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
