"""`python -m kb_loader examples FILE.csv`: labelled examples reach the classifier through the real HTTP API."""

from __future__ import annotations

import csv

import pytest


def write_csv(path, rows, header=("text", "label")):
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


ROWS = [
    ("I was charged twice for my order", "billing"),
    ("Refund the duplicate payment please", "billing"),
    ('Invoice shows the wrong amount, "again"', "billing"),
    ("I cannot log in to my account", "access"),
    ("Password reset link has expired\nand the new one too", "access"),
]


def test_read_examples_checks_the_header_and_empty_cells(tmp_path):
    from kb_loader.examples import batches, read_examples

    good = write_csv(tmp_path / "good.csv", ROWS)
    rows = read_examples(good)
    assert rows[4] == {"text": "Password reset link has expired\nand the new one too", "label": "access"}
    assert [len(b) for b in batches(rows, 2)] == [2, 2, 1]
    with pytest.raises(ValueError, match="label"):
        read_examples(write_csv(tmp_path / "bad.csv", [("x", "y")], header=("text", "category")))
    with pytest.raises(ValueError, match="line 3"):
        read_examples(write_csv(tmp_path / "empty.csv", [("x", "a"), ("", "b")]))


def test_token_comes_from_the_flag_then_the_environment_then_the_local_state(tmp_path, monkeypatch):
    from kb_loader.examples import resolve_token

    monkeypatch.delenv("API_TOKEN", raising=False)
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))
    assert resolve_token(None) is None
    (tmp_path / "admin-token").write_text("hdk_from_file\n")
    assert resolve_token(None) == "hdk_from_file"
    monkeypatch.setenv("API_TOKEN", "from-env")
    assert resolve_token(None) == "from-env"
    assert resolve_token("from-flag") == "from-flag"


def test_examples_are_sent_in_batches_to_the_api(aws, tmp_path, monkeypatch, capsys):
    """GIVEN a CSV of 5 examples, `chalice local` on moto and the local admin's token file
    WHEN `examples FILE --batch-size 2` runs (token from $LOCAL_STATE_DIR/admin-token)
    THEN 3 requests store every example, the labels join the taxonomy, and a wrong token exits 2."""
    from chalicelib.schemas.ai import ExampleListQuery
    from chalicelib.services import taxonomy
    from devstack.seed import ensure_admin
    from kb_loader.cli import main
    from tests.utils.servers import chalice_local

    ensure_admin(tmp_path)
    monkeypatch.delenv("API_TOKEN", raising=False)
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))
    path = write_csv(tmp_path / "examples.csv", ROWS)
    with chalice_local() as url:
        code = main(["examples", str(path), "--api-url", url, "--batch-size", "2"])
        out = capsys.readouterr().out
        assert code == 0, out
        assert "sent 5 examples in 3 requests: 5 new, 2 new labels (access, billing)" in out

        stored = taxonomy.list_examples(query=ExampleListQuery(page_size=50))["items"]
        assert sorted((e["text"], e["label"]) for e in stored) == sorted(ROWS)
        assert {label["name"] for label in taxonomy.list_labels()} == {"access", "billing"}

        again = main(["examples", str(path), "--api-url", url])
        assert again == 0
        assert "sent 5 examples in 1 requests: 0 new, 0 new labels" in capsys.readouterr().out

        refused = main(["examples", str(path), "--api-url", url, "--token", "hdk_not_a_real_key"])
        assert refused == 2
        assert "HTTP 401" in capsys.readouterr().err
