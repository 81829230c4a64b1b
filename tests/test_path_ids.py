"""A path id is exactly digits: `5;DROP TABLE`, `5%0A` and friends are 404, never ticket 5.

`chalice local` (and the in-process test client, which shares its router) parses the URL with
`urllib.parse.urlparse`, which splits RFC 2396 `;params` off the last path segment: the view receives `5`
for `/api/tickets/5;x`. API Gateway keeps the `;` in the path parameter and URL-decodes it, so there a
trailing `%0A` arrives as `5\n`, which `re.match(r"...$")` accepts.
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from chalicelib.schemas.common import PathId
from tests.test_http_stack import call
from tests.utils.factories import make_ticket, make_user, make_user_with_token

ODD_SUFFIXES = [";DROP%20TABLE", ";x", ";", "%3Bx", "%0A", "%20", "+1", ".0", "%2F"]


@pytest.mark.parametrize("raw", ["5\n", "5;DROP TABLE", " 5", "5 ", "+5", "05", "5.0", "٥", "0", ""])
def test_path_id_accepts_exactly_digits(raw):
    path_id = TypeAdapter(PathId)
    with pytest.raises(ValidationError):
        path_id.validate_python(raw)
    assert path_id.validate_python("5") == 5


@pytest.mark.parametrize("suffix", ODD_SUFFIXES)
def test_odd_ticket_paths_are_404_in_process_and_delete_nothing(api, suffix):
    ticket = make_ticket(make_user()["id"])
    path = f"/api/tickets/{ticket['id']}{suffix}"
    status, body = api.get(path)
    assert status == 404 and body["error"] == "not_found", body
    assert api.put(path, {"title": "hijacked"})[0] == 404
    assert api.delete(path)[0] == 404
    status, kept = api.get(f"/api/tickets/{ticket['id']}")
    assert status == 200 and kept["title"] == ticket["title"]


def test_odd_ticket_paths_are_404_over_http(aws, server):
    token = make_user_with_token(role="admin")["token"]
    ticket = make_ticket(make_user()["id"])
    for suffix in ODD_SUFFIXES:
        path = f"/api/tickets/{ticket['id']}{suffix}"
        status, body, _ = call(server, "GET", path, token=token)
        assert status == 404 and body["error"] == "not_found", (suffix, status, body)
        assert call(server, "DELETE", path, token=token)[0] == 404, suffix
        assert call(server, "GET", f"{path}/replies", token=token)[0] == 404, suffix
    status, kept, _ = call(server, "GET", f"/api/tickets/{ticket['id']}", token=token)
    assert status == 200 and kept["id"] == ticket["id"]
    assert call(server, "GET", f"/api/users/{ticket['requester_id']};x", token=token)[0] == 404
