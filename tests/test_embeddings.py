"""Embedders: ONNX agrees with sentence-transformers, the hash fallback is stable across processes, lazy loading."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.utils.kb import ROOT, onnx_model_path

TEXTS = [
    "How do I reset my password?",
    "Refunds are issued to the original payment method within 5 business days.",
    "x",
    "Überweisung fehlgeschlagen – was nun? 🙂",
    # Longer than 128 tokens (the tokenizer.json's fixed length) and than 256 (the model's limit).
    "Our SLA gives urgent tickets a first response within one hour, around the clock. " * 10,
    "Agents see every ticket; requesters see only their own. " * 40,
]


@pytest.fixture(scope="session")
def torch_embedder():
    from chalicelib.rag.embeddings import TorchEmbedder

    return TorchEmbedder()


@pytest.fixture(scope="session")
def onnx_embedder():
    from chalicelib.rag.embeddings import OnnxEmbedder

    return OnnxEmbedder(onnx_model_path())


def test_onnx_matches_sentence_transformers(torch_embedder, onnx_embedder):
    expected = torch_embedder.embed(TEXTS)
    got = onnx_embedder.embed(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), 384)
    cosines = np.sum(expected * got, axis=1)
    assert cosines.min() >= 0.999, cosines
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_onnx_keeps_input_order_across_length_sorted_batches(onnx_embedder):
    texts = [f"{'word ' * n}end" for n in (50, 1, 30, 2, 70)]
    together = onnx_embedder.embed(texts)
    one_by_one = np.vstack([onnx_embedder.embed([t]) for t in texts])
    assert np.allclose(together, one_by_one, atol=1e-5)


def test_tokenizer_truncates_at_256_and_pads_to_the_longest_text():
    from chalicelib.rag.embeddings import load_tokenizer

    tokenizer = load_tokenizer(onnx_model_path().with_name("tokenizer.json"))
    long, short = tokenizer.encode_batch(["word " * 1000, "hi"])
    assert len(long.ids) == len(short.ids) == 256
    assert len(tokenizer.encode_batch(["a b c", "hi"])[0].ids) < 128


def test_hash_embedder_is_normalised_and_ranks_overlap_higher():
    from chalicelib.rag.embeddings import HashEmbedder

    vectors = HashEmbedder().embed(["reset my password", "password reset link", "refund to card", ""])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert not vectors[3].any()  # nothing to hash: the zero vector, not NaN
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_hash_embedder_is_identical_across_processes():
    code = ("import json, sys; from chalicelib.rag.embeddings import HashEmbedder;"
            "sys.stdout.write(json.dumps(HashEmbedder().embed(['Same text, other process']).tolist()))")
    outputs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert json.loads(outputs[0]) == json.loads(outputs[1])


def test_selection_defaults_to_onnx_when_exported_else_hash_and_caches(monkeypatch, tmp_path):
    from chalicelib.config import ConfigError, reset_process_state
    from chalicelib.rag import embeddings

    exported = onnx_model_path()
    monkeypatch.delenv("EMBEDDER", raising=False)
    monkeypatch.setenv("ONNX_MODEL_PATH", str(tmp_path / "missing.onnx"))
    reset_process_state()
    assert embeddings.embedder_kind() == "hash"
    monkeypatch.setenv("ONNX_MODEL_PATH", str(exported))
    reset_process_state()
    assert embeddings.embedder_kind() == "onnx"
    embeddings.reset_embedders()
    assert embeddings.get_embedder() is embeddings.get_embedder()
    assert embeddings.get_embedder().name == "onnx"
    monkeypatch.setenv("EMBEDDER", "gpu")
    reset_process_state()
    with pytest.raises(ConfigError):
        embeddings.embedder_kind()
    reset_process_state()
    embeddings.reset_embedders()


def test_an_embedding_needs_no_signing_key():
    code = ("import sys; from chalicelib.rag.embeddings import get_embedder;"
            "sys.stdout.write(str(get_embedder().embed(['no secrets here']).shape))")
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_PARAMETER")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**env, "EMBEDDER": "hash"})
    assert result.returncode == 0 and result.stdout == "(1, 384)", result.stderr[-2000:]


def test_a_malformed_setting_is_refused_naming_its_variable(monkeypatch):
    from chalicelib.config import ConfigError, load_settings

    monkeypatch.setenv("KB_LOCK_TTL_S", "soon")
    with pytest.raises(ConfigError, match="KB_LOCK_TTL_S"):
        load_settings()


def test_importing_the_app_loads_no_model_library():
    code = ("import sys, app; heavy = [m for m in ('torch', 'sentence_transformers', 'onnxruntime', 'lancedb',"
            " 'transformers') if m in sys.modules]; sys.stdout.write(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    assert result.stdout == ""
