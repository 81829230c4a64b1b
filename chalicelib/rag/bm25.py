"""A small in-memory BM25 (Okapi, k1 1.2, b 0.75) over an inverted index in numpy arrays.

The warm search path (chalicelib.rag.snapshot) ranks full text with this over its in-memory copy of the table;
the Chroma side of bench.retrieval uses it too (Chroma's local client has no full-text ranking). Tokens: lower-cased
words, English stop words dropped, no stemming. Needs only numpy: it runs in the Chroma virtualenv too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these they "
    "this to was will with i me my we our you your he she him her its do does did have has had can could would "
    "should am been being so than too very s t just".split())


def tokenize(text: str) -> list[str]:
    """Lower-cased words without stop words."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) <= 40]


class Bm25:
    """Index texts once; `search` scores only the postings of the query's terms."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        vocabulary: dict[str, int] = {}
        docs: list[int] = []
        terms: list[int] = []
        freqs: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = tokenize(text)
            lengths[row] = len(tokens)
            for term, count in Counter(tokens).items():
                docs.append(row)
                terms.append(vocabulary.setdefault(term, len(vocabulary)))
                freqs.append(count)
        self.vocabulary = vocabulary
        self.size = len(texts)
        doc_arr = np.asarray(docs, dtype=np.int64)
        term_arr = np.asarray(terms, dtype=np.int64)
        tf = np.asarray(freqs, dtype=np.float32)
        df = np.bincount(term_arr, minlength=len(vocabulary)).astype(np.float32)
        idf = np.log1p((self.size - df + 0.5) / (df + 0.5))
        average = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1 - b + b * lengths[doc_arr] / max(average, 1e-9))
        weight = idf[term_arr] * tf * (k1 + 1) / (tf + norm)
        order = np.argsort(term_arr, kind="stable")
        self.postings_doc = doc_arr[order]
        self.postings_weight = weight[order].astype(np.float32)
        self.offsets = np.concatenate([[0], np.cumsum(np.bincount(term_arr, minlength=len(vocabulary)))])

    def search(self, text: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best (row, score) pairs, best first; rows without any query term (or not allowed) never appear."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in set(tokenize(text)):
            index = self.vocabulary.get(term)
            if index is None:
                continue
            start, end = self.offsets[index], self.offsets[index + 1]
            scores[self.postings_doc[start:end]] += self.postings_weight[start:end]
        if allowed is not None:
            scores[~allowed] = 0.0
        hits = np.flatnonzero(scores)
        if len(hits) > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
        ranked = hits[np.argsort(-scores[hits], kind="stable")]
        return [(int(i), float(scores[i])) for i in ranked]
