"""Split text into overlapping windows that follow paragraphs, sentences and Markdown sections.

Every chunk is at most `chunk_size` characters, never blank, and carries the heading path of the
section it belongs to. A heading always opens a chunk, so it stays with the text it introduces.
Chunk ids are derived from the document's source and the chunk's position, so ingesting the same
file again replaces its chunks instead of adding copies.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

DEFAULT_CHUNK_SIZE = 500
DEFAULT_CHUNK_OVERLAP = 50
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Chunk:
    """One window of a document."""

    index: int
    text: str
    heading: str


@dataclass
class _Section:
    heading: str
    paragraphs: list[str]


def doc_key(source: str) -> str:
    """A short stable key for a document source (the prefix of its chunk ids)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:20]


def chunk_id(source: str, index: int) -> str:
    """The deterministic id of a document's `index`-th chunk."""
    return f"{doc_key(source)}-{index:05d}"


def first_heading(text: str) -> str | None:
    """The first Markdown heading's text (a document's natural title), if any."""
    for section in _sections(text):
        if section.heading:
            return section.heading.split(" > ")[0]
    return None


def _sections(text: str) -> list[_Section]:
    """Paragraphs grouped under their heading path; fenced code blocks are never split or parsed."""
    sections = [_Section("", [])]
    path: list[tuple[int, str]] = []
    paragraph: list[str] = []
    in_fence = False

    def flush() -> None:
        if paragraph and any(line.strip() for line in paragraph):
            sections[-1].paragraphs.append("\n".join(paragraph).strip("\n"))
        paragraph.clear()

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            paragraph.append(line)
            continue
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            flush()
            level, title = len(heading.group(1)), heading.group(2).strip()
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            if sections[-1].paragraphs and all(_HEADING.match(p) for p in sections[-1].paragraphs):
                # A heading with no text of its own introduces this one: keep them together.
                sections[-1].heading = " > ".join(t for _, t in path)
                sections[-1].paragraphs.append(line.strip())
            else:
                sections.append(_Section(" > ".join(t for _, t in path), [line.strip()]))
            continue
        if not in_fence and not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return [s for s in sections if any(p.strip() for p in s.paragraphs)]


def _hard_split(text: str, limit: int) -> list[str]:
    """Words packed into windows of at most `limit` characters; a longer word is cut."""
    pieces: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def _units(paragraph: str, limit: int) -> list[tuple[str, str]]:
    """A paragraph as (separator, text) units that each fit `limit`: whole, else sentences, else words."""
    if len(paragraph) <= limit:
        return [("\n\n", paragraph)]
    units: list[tuple[str, str]] = []
    for sentence in _SENTENCE_END.split(paragraph):
        for piece in ([sentence] if len(sentence) <= limit else _hard_split(sentence, limit)):
            if piece.strip():
                units.append((" " if units else "\n\n", piece))
    return units


def _tail(text: str, overlap: int) -> str:
    """The end of a chunk to repeat at the start of the next one: whole sentences if they fit, else words."""
    if overlap <= 0:
        return ""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    tail = ""
    for sentence in reversed(sentences):
        candidate = f"{sentence} {tail}".strip()
        if len(candidate) > overlap:
            break
        tail = candidate
    if tail:
        return tail
    words: list[str] = []
    for word in reversed(text.split()):
        if len(" ".join([word, *words])) > overlap:
            break
        words.insert(0, word)
    return " ".join(words)


def chunk_text(text: str, chunk_size: int = DEFAULT_CHUNK_SIZE,
               chunk_overlap: int = DEFAULT_CHUNK_OVERLAP) -> list[Chunk]:
    """Split `text` into chunks of at most `chunk_size` characters with about `chunk_overlap` repeated."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    if not 0 <= chunk_overlap < chunk_size:
        raise ValueError("chunk_overlap must be at least 0 and less than chunk_size")
    chunks: list[Chunk] = []

    def emit(body: str, heading: str) -> None:
        if body.strip():
            chunks.append(Chunk(len(chunks), body.strip(), heading))

    for section in _sections(text):
        current = ""
        for paragraph in section.paragraphs:
            for separator, unit in _units(paragraph, chunk_size):
                candidate = f"{current}{separator}{unit}" if current else unit
                if len(candidate) <= chunk_size:
                    current = candidate
                    continue
                emit(current, section.heading)
                carried = _tail(current, chunk_overlap)
                joined = f"{carried}{separator}{unit}"
                current = joined if carried and len(joined) <= chunk_size else unit
        emit(current, section.heading)
    return chunks


def whole_text(text: str) -> list[Chunk]:
    """The document as one chunk (ingest without chunking)."""
    heading = first_heading(text) or ""
    return [Chunk(0, text.strip(), heading)] if text.strip() else []
