"""Chunking: size bounds, boundaries, headings, overlap and deterministic ids."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.rag.chunking import chunk_id, chunk_text, doc_key, first_heading, whole_text


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n", "\r\n\r\n"])
def test_blank_text_gives_no_chunks(text):
    assert chunk_text(text) == []
    assert whole_text(text) == []


def test_short_text_is_one_chunk():
    chunks = chunk_text("  Hello world.  ")
    assert [(c.index, c.text, c.heading) for c in chunks] == [(0, "Hello world.", "")]


def test_paragraph_boundary_is_preferred():
    first, second = "A" * 60 + ".", "B" * 60 + "."
    chunks = chunk_text(f"{first}\n\n{second}", chunk_size=100, chunk_overlap=0)
    assert [c.text for c in chunks] == [first, second]


def test_paragraphs_that_fit_together_share_a_chunk():
    chunks = chunk_text("One.\n\nTwo.\n\nThree.", chunk_size=100, chunk_overlap=0)
    assert [c.text for c in chunks] == ["One.\n\nTwo.\n\nThree."]


def test_long_paragraph_splits_at_sentence_ends_with_overlap():
    sentences = [f"Sentence number {i} says something." for i in range(30)]
    chunks = chunk_text(" ".join(sentences), chunk_size=200, chunk_overlap=60)
    assert len(chunks) > 3
    for chunk in chunks:
        assert len(chunk.text) <= 200
        assert chunk.text.endswith("."), chunk.text  # never cut inside a sentence
    for before, after in zip(chunks, chunks[1:], strict=False):
        last_sentence = re.split(r"(?<=\.)\s+", before.text)[-1]
        assert after.text.startswith(last_sentence)  # the overlap repeats whole sentences


def test_zero_overlap_repeats_nothing():
    sentences = [f"Sentence {i} is here." for i in range(40)]
    chunks = chunk_text(" ".join(sentences), chunk_size=120, chunk_overlap=0)
    joined = " ".join(c.text for c in chunks)
    assert joined == " ".join(sentences)


def test_a_word_longer_than_the_chunk_is_cut():
    chunks = chunk_text("x" * 1234, chunk_size=500, chunk_overlap=50)
    assert [len(c.text) for c in chunks] == [500, 500, 234]


def test_headings_open_chunks_and_are_kept_in_metadata():
    text = ("# Console\n\nIntro to the console.\n\n## Tickets\n\nOpen a ticket from the list.\n\n"
            "## Users\n\nInvite agents.\n\n# SLA\n\nUrgent: one hour.")
    chunks = chunk_text(text, chunk_size=500, chunk_overlap=50)
    assert [(c.heading, c.text.splitlines()[0]) for c in chunks] == [
        ("Console", "# Console"),
        ("Console > Tickets", "## Tickets"),
        ("Console > Users", "## Users"),
        ("SLA", "# SLA"),
    ]
    assert first_heading(text) == "Console"


def test_a_heading_without_text_stays_with_the_next_section():
    chunks = chunk_text("# Guide\n## Install\n\nRun make bootstrap.", chunk_size=500, chunk_overlap=0)
    assert len(chunks) == 1
    assert chunks[0].heading == "Guide > Install"
    assert chunks[0].text == "# Guide\n\n## Install\n\nRun make bootstrap."


def test_continuation_chunks_carry_the_section_heading():
    body = " ".join(f"Step {i} of the procedure." for i in range(40))
    chunks = chunk_text(f"# Setup\n\n{body}\n\n# Other\n\nDone.", chunk_size=150, chunk_overlap=30)
    setup = [c for c in chunks if c.heading == "Setup"]
    assert len(setup) > 2 and setup[0].text.startswith("# Setup") and not setup[1].text.startswith("#")
    assert chunks[-1].heading == "Other"


def test_headings_inside_code_fences_are_text():
    text = "# Real\n\n```\n# not a heading\n\nstill code\n```"
    chunks = chunk_text(text, chunk_size=500, chunk_overlap=0)
    assert [c.heading for c in chunks] == ["Real"]
    assert "# not a heading\n\nstill code" in chunks[0].text


def test_windows_line_endings():
    chunks = chunk_text("# Title\r\n\r\nLine one.\r\nLine two.\r\n", chunk_size=500, chunk_overlap=0)
    assert chunks[0].text == "# Title\n\nLine one.\nLine two."


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (100, 100), (100, 150), (100, -1)])
def test_invalid_sizes_are_refused(size, overlap):
    with pytest.raises(ValueError):
        chunk_text("text", chunk_size=size, chunk_overlap=overlap)


def test_ids_are_deterministic_and_distinct():
    assert chunk_id("docs/a.md", 3) == chunk_id("docs/a.md", 3)
    assert chunk_id("docs/a.md", 3) != chunk_id("docs/b.md", 3)
    assert chunk_id("docs/a.md", 3).startswith(doc_key("docs/a.md"))
    text = "# A\n\n" + "Words and more words. " * 100
    assert chunk_text(text, 300, 40) == chunk_text(text, 300, 40)


_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=0, max_size=30)
_docs = st.lists(st.one_of(_words, st.sampled_from(["\n", "\n\n", ". ", "# H\n", "## Sub\n", "```\n", " "])),
                 max_size=80).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_docs, size=st.integers(20, 400), overlap_ratio=st.floats(0, 0.9))
def test_properties_bounded_non_blank_and_lossless(text, size, overlap_ratio):
    overlap = min(size - 1, int(size * overlap_ratio))
    chunks = chunk_text(text, size, overlap)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.text.strip() and len(chunk.text) <= size
    covered = "".join(c.text for c in chunks)
    for word in text.split():
        if len(word) <= size:  # longer words are cut, their pieces still appear
            assert word in covered
