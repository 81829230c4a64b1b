"""Export all-MiniLM-L6-v2 to ONNX once: `python -m chalicelib.rag.export_onnx [OUT.onnx]`.

The graph includes masked mean pooling and L2 normalisation, so ONNX Runtime returns the final embedding.
The export is checked against sentence-transformers (cosine >= 0.999) before it replaces the target file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from chalicelib.config import DEFAULT_ONNX_PATH

MIN_COSINE = 0.999
CHECK_TEXTS = [
    "How do I reset my password?",
    "Refunds are issued to the original payment method within 5 business days.",
    "SLA: urgent tickets get a first response within one hour, around the clock. " * 12,  # over 128 tokens
    "x",
]


def export(out: Path) -> float:
    """Write the ONNX model and its tokenizer next to each other; returns the worst cosine vs torch."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    from chalicelib.rag.embeddings import OnnxEmbedder, model_dir

    source = model_dir()
    st = SentenceTransformer(str(source), device="cpu")
    transformer: Any = st[0].auto_model
    transformer.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        staged = Path(tmp) / out.name
        sample = st.tokenizer(["hello world"], return_tensors="pt")
        torch.onnx.export(
            Pooled(transformer), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(staged), input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"], opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                          "token_type_ids": {0: "batch", 1: "seq"}, "embedding": {0: "batch"}},
        )
        shutil.copy(source / "tokenizer.json", staged.with_name("tokenizer.json"))
        expected = st.encode(CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
        got = OnnxEmbedder(staged).embed(CHECK_TEXTS)
        worst = float(np.min(np.sum(expected * got, axis=1)))
        if worst < MIN_COSINE:
            raise SystemExit(f"ONNX export disagrees with sentence-transformers: cosine {worst:.5f} < {MIN_COSINE}")
        os.replace(staged.with_name("tokenizer.json"), out.with_name("tokenizer.json"))
        os.replace(staged, out)
    return worst


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default=os.environ.get("ONNX_MODEL_PATH") or str(DEFAULT_ONNX_PATH))
    args = parser.parse_args(argv)
    worst = export(Path(args.out))
    sys.stdout.write(f"wrote {args.out} (min cosine vs sentence-transformers {worst:.5f})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
