"""Test fixtures: one moto server per test session (server mode, so non-boto clients work too), wiped and
re-created from infra/resources.py before every test; the Chalice test client runs routes in-process."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "STAGE": "dev",
    "RESOURCE_PREFIX": "helpdesk-dev",
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "HF_HUB_OFFLINE": "1",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
})
os.environ.pop("CORS_ORIGIN", None)

from devstack.local_aws import LocalAws  # noqa: E402


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAws]:
    """moto in server mode for the whole session."""
    from chalicelib.config import reset_process_state

    server = LocalAws().start()
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    reset_process_state()  # a module imported during collection may have read the settings already
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are read once per process: each test reads the environment it set up (monkeypatch) afresh."""
    from chalicelib.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def aws(local_aws: LocalAws) -> Iterator[LocalAws]:
    """A clean AWS for one test: every resource wiped and created again from the shared definitions."""
    from chalicelib import faults
    from chalicelib.config import get_settings
    from infra import bootstrap

    local_aws.reset()
    bootstrap.create_all(get_settings())
    local_aws.middleware.calls.clear()
    yield local_aws
    faults.disarm_all()


@pytest.fixture
def app(aws: LocalAws) -> Any:
    """The Chalice app object."""
    import app as app_module

    return app_module.app


class Api:
    """A thin JSON wrapper over chalice.test.Client with a bearer token."""

    def __init__(self, client: Any, token: str | None) -> None:
        self.client = client
        self.token = token

    def as_(self, token: str | None) -> Api:
        """The same client acting with another token."""
        return Api(self.client, token)

    def request(self, method: str, path: str, body: Any = None, raw: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        all_headers = {"content-type": "application/json"}
        if self.token:
            all_headers["authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = self.client.http.request(method, path, headers=all_headers, body=data)
        text = response.body.decode("utf-8") if response.body else ""
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return response.status_code, parsed, {k.lower(): v for k, v in response.headers.items()}

    def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        status, body, _ = self.request("GET", path, **kw)
        return status, body

    def post(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        status, data, _ = self.request("POST", path, body, **kw)
        return status, data

    def put(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        status, data, _ = self.request("PUT", path, body, **kw)
        return status, data

    def delete(self, path: str, **kw: Any) -> tuple[int, Any]:
        status, data, _ = self.request("DELETE", path, **kw)
        return status, data


@pytest.fixture
def admin(aws: LocalAws) -> dict[str, Any]:
    """An admin user with a password and a fresh access token."""
    from tests.utils.factories import make_user_with_token

    return make_user_with_token(role="admin")


@pytest.fixture
def api(app: Any, admin: dict[str, Any]) -> Iterator[Api]:
    """The API as the admin."""
    from chalice.test import Client

    with Client(app, stage_name="dev", project_dir=str(ROOT)) as client:
        yield Api(client, admin["token"])


@pytest.fixture(scope="module")
def server(local_aws: LocalAws) -> Iterator[str]:
    """`chalice local` over HTTP on a free port (one per test module), for tests of the real HTTP path."""
    from tests.utils.servers import chalice_local

    with chalice_local() as url:
        yield url


@pytest.fixture
def kb_aws(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    """A clean AWS for knowledge-base tests: the store in the kb-store bucket, the fast hash embedder."""
    from tests.utils.kb import reset_kb_caches

    monkeypatch.setenv("EMBEDDER", "hash")
    monkeypatch.delenv("KB_STORE_URI", raising=False)
    reset_kb_caches()
    yield aws
    reset_kb_caches()
