"""The BM25 now lives in chalicelib.rag.bm25 (the warm search path uses it); kept here for bench imports."""

from chalicelib.rag.bm25 import STOP_WORDS, Bm25, tokenize

__all__ = ["STOP_WORDS", "Bm25", "tokenize"]
