"""The Chalice app: wires the API blueprints, the authorizer, middleware and event handlers. No logic here."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, ConvertToMiddleware

from chalicelib.api import ai, auth, auto_reply, docs, health, kb, local_gateway, mail, ops, security, tickets, users
from chalicelib.api import copilot as copilot_api
from chalicelib.api.http import normalise_gateway_error
from chalicelib.api.security import with_security_headers
from chalicelib.handlers import ai as ai_handlers
from chalicelib.handlers import auto_reply as auto_reply_handlers
from chalicelib.handlers import kb_ingest, maintenance
from chalicelib.handlers import mail as mail_handlers
from chalicelib.handlers import ops as ops_handlers
from chalicelib.log import logger

app = Chalice(app_name="helpdesk")
local_gateway.install()  # chalice local / the test client answer unknown routes like production's gateway

for blueprint in (security.bp, health.bp, docs.bp, auth.bp, users.bp, tickets.bp, ops.bp, ai.bp, kb.bp, copilot_api.bp,
                  maintenance.bp, ai_handlers.bp, ops_handlers.bp, kb_ingest.bp, auto_reply.bp, auto_reply_handlers.bp,
                  mail.bp, mail_handlers.bp):
    app.register_blueprint(blueprint)

app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))


@app.middleware("http")
def gateway_errors_as_json(event: Any, get_response: Any) -> Any:
    """Chalice's own errors (405, 415) in the same JSON shape as ours; security headers on every response."""
    response = normalise_gateway_error(get_response(event))
    with_security_headers(response.headers)
    return response
