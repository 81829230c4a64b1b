"""The local admin: created once, its password and API key kept in the local state directory."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from chalicelib.errors import Unauthorized
from chalicelib.principal import Principal
from chalicelib.schemas.auth import ALL_SCOPES, ApiKeyCreate
from chalicelib.schemas.users import UserCreate
from chalicelib.services import auth, users

ADMIN_EMAIL = "admin@example.com"


SEED_AI = Path(__file__).with_name("seed_ai.json")


def ensure_ai_taxonomy() -> bool:
    """On a new stack, load a small demo taxonomy with examples (our own text), so tickets get classified
    from the first minute. Returns True when it seeded (training then runs in the background)."""
    from chalicelib.schemas.ai import ExamplesIn, LabelsIn
    from chalicelib.services import taxonomy

    if taxonomy.list_labels():
        return False
    seed = json.loads(SEED_AI.read_text(encoding="utf-8"))
    taxonomy.upsert_labels(data=LabelsIn(labels=seed["labels"]))
    taxonomy.add_examples(data=ExamplesIn(examples=[{"text": t, "label": label} for t, label in seed["examples"]]),
                    source="seed")
    return True


SAMPLE_KB = Path(__file__).resolve().parent.parent / "kb_loader" / "samples"


def ensure_sample_kb() -> int:
    """On a new stack, put the sample knowledge base into the uploads bucket; the S3 -> SQS ingest (run by the
    dispatcher) makes it searchable a few seconds later. Returns the number of files uploaded."""
    from chalicelib import aws
    from chalicelib.config import get_settings

    bucket = get_settings().bucket_name("kb-uploads")
    s3 = aws.client("s3")
    if s3.list_objects_v2(Bucket=bucket, MaxKeys=1).get("KeyCount", 0):
        return 0
    files = sorted(SAMPLE_KB.glob("*.md"))
    for path in files:
        s3.put_object(Bucket=bucket, Key=f"samples/{path.name}", Body=path.read_bytes(),
                      ContentType="text/markdown; charset=utf-8")
    return len(files)


def _write_private(path: Path, value: str) -> None:
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)


def ensure_admin(state_dir: Path) -> tuple[str, str]:
    """Make sure the local admin exists and `admin-token` holds a working admin API key.

    Returns (e-mail, password). The password is generated on first start and kept in `admin-password`.
    """
    password_file = state_dir / "admin-password"
    token_file = state_dir / "admin-token"
    user = users.find_by_email(ADMIN_EMAIL)
    if user is None:
        password = secrets.token_urlsafe(12)
        created = users.create_user(data=UserCreate(email=ADMIN_EMAIL, name="Local Admin", role="admin",
                                                    password=password))
        user_id = int(created["id"])
        _write_private(password_file, password)
    else:
        user_id = int(user.id)
        password = password_file.read_text(encoding="utf-8").strip() if password_file.exists() else "(unknown)"
    token = token_file.read_text(encoding="utf-8").strip() if token_file.exists() else ""
    try:
        if not token:
            raise Unauthorized("no token yet")
        principal = auth.authenticate(f"Bearer {token}")
        if principal.role != "admin":
            raise Unauthorized("not an admin key")
    except Unauthorized:
        actor = Principal(user_id=user_id, role="admin", via="system", scopes=frozenset(ALL_SCOPES))
        key = auth.create_api_key(data=ApiKeyCreate(name="local admin (make dev)", scopes=list(ALL_SCOPES)),
                                  actor=actor)
        _write_private(token_file, key["api_key"])
    return ADMIN_EMAIL, password
