"""kb_loader: uploads a folder; the bucket's notifications, dispatched to the real handlers, make it searchable."""

from __future__ import annotations

from tests.utils.kb import ROOT


def test_find_files_keys_md_and_txt_under_the_prefix(tmp_path):
    from kb_loader.cli import find_files

    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_text("# A")
    (tmp_path / "sub" / "b.TXT").write_text("b")
    (tmp_path / "logo.png").write_bytes(b"png")
    assert [u.key for u in find_files(tmp_path, "/docs/")] == ["docs/a.md", "docs/sub/b.TXT"]
    assert [u.key for u in find_files(tmp_path / "a.md", "")] == ["a.md"]


def test_uploading_the_samples_makes_them_searchable(kb_aws, app, capsys):
    """GIVEN the local dispatcher polling the queues as `make dev` does
    WHEN kb_loader uploads the sample folder and waits
    THEN every file is reported with its chunk count and its chunks come back from search."""
    from chalicelib.config import get_settings
    from chalicelib.schemas.kb import KbSearchIn
    from chalicelib.services import kb
    from devstack.dispatcher import Dispatcher
    from kb_loader.cli import main

    dispatcher = Dispatcher(app, get_settings())
    dispatcher.start()
    try:
        code = main([str(ROOT / "kb_loader" / "samples"), "--prefix", "handbook", "--wait", "--timeout", "90"])
    finally:
        dispatcher.stop()
    out = capsys.readouterr().out
    samples = sorted(p.name for p in (ROOT / "kb_loader" / "samples").glob("*.md"))
    assert code == 0, out
    assert f"ingested {len(samples)}/{len(samples)} files" in out
    for name in samples:
        assert f"handbook/{name}" in out
    hits = kb.search(data=KbSearchIn(query="SLA first response urgent", top_k=5), audience="agent")["results"]
    assert hits and all(h["metadata"]["source"].startswith("handbook/") for h in hits)
    assert "handbook/sla-policy.md" in {h["metadata"]["source"] for h in hits}
