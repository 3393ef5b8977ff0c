"""The committed stubs in gen/ are exactly what protos/ generates (run `make protos` to fix)."""

import filecmp
from pathlib import Path

from scripts.gen_protos import ROOT, generate


def tree(root: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(root)): p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }


def test_generated_stubs_match_protos(tmp_path: Path) -> None:
    fresh = tmp_path / "gen"
    generate(fresh)
    committed = tree(ROOT / "gen")
    generated = tree(fresh)
    assert sorted(committed) == sorted(generated), "stub files differ: run `make protos`"
    changed = [name for name in generated if not filecmp.cmp(generated[name], committed[name], shallow=False)]
    assert not changed, f"stale stubs {changed}: run `make protos`"
