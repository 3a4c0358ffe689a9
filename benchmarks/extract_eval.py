"""Precision / recall / F1 of ``ingest.extract`` on the annotated samples and on the seed plan.

    python -m benchmarks.extract_eval [--known-dataset baiyin] [--json]

Samples: ``tests/data/extract/gold.json`` (entities as (type, name) sets per document, relations
as (type, source, target), COOPERATES_WITH unordered). Seed: ``tests/data/extract/seed_gold.json``
(recall of the required parks, enterprises and institutions; precision / recall / F1 of the tasks
and of task → lead unit). The seed text is read from ``CHAINKG_SEED_TEXT`` or the path in the
gold file; it is skipped when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.extract import Candidate, Extractor, KnownEntity

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "extract"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[Any], pred: set[Any]) -> Score:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        return self

    def __iadd__(self, other: Score) -> Score:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }

    def line(self) -> str:
        return (
            f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  (tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


def rel_key(rel_type: str, source: str, target: str) -> tuple[str, str, str]:
    if rel_type == "COOPERATES_WITH":
        a, b = sorted((source, target))
        return (rel_type, a, b)
    return (rel_type, source, target)


def entity_set(cands: Iterable[Candidate], types: Iterable[str]) -> set[tuple[str, str]]:
    wanted = set(types)
    return {(c.type, c.name) for c in cands if c.kind == "entity" and c.type in wanted}


def relation_set(cands: Iterable[Candidate]) -> set[tuple[str, str, str]]:
    return {rel_key(c.type, c.source, c.target) for c in cands if c.kind == "relation"}


def evaluate_samples(extractor: Extractor, gold_path: Path = DATA / "gold.json") -> dict[str, Any]:
    """Per-document and per-split scores on the annotated samples."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = []
    splits: dict[str, tuple[Score, Score]] = {}
    for doc in gold["documents"]:
        text = (gold_path.parent / doc["file"]).read_text(encoding="utf-8")
        cands = extractor.extract(text)
        g_ents = {(e["type"], e["name"]) for e in doc["entities"]}
        g_rels = {rel_key(r["type"], r["source"], r["target"]) for r in doc["relations"]}
        p_ents = entity_set(cands, doc["entity_types"])
        p_rels = relation_set(cands)
        es, rs = Score().add(g_ents, p_ents), Score().add(g_rels, p_rels)
        docs.append(
            {
                "file": doc["file"],
                "split": doc["split"],
                "entities": es,
                "relations": rs,
                "missed_entities": sorted(g_ents - p_ents),
                "wrong_entities": sorted(p_ents - g_ents),
                "missed_relations": sorted(g_rels - p_rels),
                "wrong_relations": sorted(p_rels - g_rels),
            }
        )
        for split in (doc["split"], "all"):
            e_acc, r_acc = splits.setdefault(split, (Score(), Score()))
            e_acc += es
            r_acc += rs
    return {"documents": docs, "splits": splits}


def seed_text_path(gold: dict[str, Any]) -> Path:
    # gold["text"] is relative to the repository root (the seed lives in ../shared beside it).
    return Path(os.environ.get("CHAINKG_SEED_TEXT") or Path(__file__).resolve().parent.parent / gold["text"])


def evaluate_seed(extractor: Extractor, gold_path: Path = DATA / "seed_gold.json") -> dict[str, Any] | None:
    """Required-entity recall, task and task → lead-unit scores on the seed plan."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    path = seed_text_path(gold)
    if not path.is_file():
        return None
    cands = extractor.extract(path.read_text(encoding="utf-8"))
    required = {(e["type"], e["name"]) for e in gold["required_entities"]}
    found = {(c.type, c.name) for c in cands if c.kind == "entity"}
    g_tasks = {t["task"] for t in gold["tasks"]}
    p_tasks = {c.name for c in cands if c.kind == "entity" and c.type == "Task"}
    g_leads = {(t["lead"], t["task"]) for t in gold["tasks"]}
    p_leads = {(c.source, c.target) for c in cands if c.kind == "relation" and c.type == "LEADS"}
    return {
        "required": Score().add(required, found & required),
        "missed_required": sorted(required - found),
        "tasks": Score().add(g_tasks, p_tasks),
        "leads": Score().add(g_leads, p_leads),
        "wrong_tasks": sorted(p_tasks - g_tasks),
        "missed_leads": sorted(g_leads - p_leads),
    }


def dataset_known(name: str) -> list[KnownEntity]:
    from ingest.datasets import load_dataset

    nodes, _ = load_dataset(name)
    return [(n.label, str(n.properties["name"]), list(n.properties.get("aliases", []))) for n in nodes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--known-dataset", help="also score the seed with the names of this bundled dataset known")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    args = parser.parse_args(argv)

    plain = Extractor()
    samples = evaluate_samples(plain)
    seed = evaluate_seed(plain)
    seed_known = evaluate_seed(Extractor(dataset_known(args.known_dataset))) if args.known_dataset else None

    if args.json:
        out: dict[str, Any] = {
            "samples": {
                split: {"entities": e.as_dict(), "relations": r.as_dict()}
                for split, (e, r) in samples["splits"].items()
            },
            "documents": {
                d["file"]: {"entities": d["entities"].as_dict(), "relations": d["relations"].as_dict()}
                for d in samples["documents"]
            },
        }
        for key, res in (("seed", seed), ("seed_known", seed_known)):
            if res is not None:
                out[key] = {k: res[k].as_dict() for k in ("required", "tasks", "leads")}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0

    print("Annotated samples (no known names: everything found by form and rules)")
    for d in samples["documents"]:
        print(f"  {d['file']} [{d['split']}]")
        print(f"    entities   {d['entities'].line()}")
        print(f"    relations  {d['relations'].line()}")
        if args.verbose:
            for key in ("missed_entities", "wrong_entities", "missed_relations", "wrong_relations"):
                for item in d[key]:
                    print(f"      {key}: {item}")
    for split, (e, r) in samples["splits"].items():
        print(f"  [{split}] entities   {e.line()}")
        print(f"  [{split}] relations  {r.line()}")
    for title, res in (("Seed plan, no known names", seed), ("Seed plan, known names of the dataset", seed_known)):
        if res is None:
            continue
        print(title)
        req = res["required"]
        print(f"  required entities  recall {req.recall:.3f} ({req.tp}/{req.tp + req.fn})")
        print(f"  tasks              {res['tasks'].line()}")
        print(f"  task → lead unit   {res['leads'].line()}")
        if args.verbose:
            for key in ("missed_required", "wrong_tasks", "missed_leads"):
                for item in res[key]:
                    print(f"    {key}: {item}")
    if seed is None:
        print("Seed plan not found (set CHAINKG_SEED_TEXT): skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
