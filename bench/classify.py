"""python -m bench classify: the classifier alone, on the held-out evaluation set.

Trains the model as `make run` does (the shipped set, dispatch/routing/training/appeals.jsonl,
less its held-out split), then scores it on bench/eval/appeals_heldout.jsonl, appeals written
apart from the training set and never trained or tuned on: top-1 and top-3 accuracy (all, and per
language), the kind (consultation) and urgency detectors. Then a fresh process loads the stored
model as a routing worker does (Django set up, the model read from its stored bytes) and measures
the latency of classifying one appeal (p50, p99), the throughput of batches, and its resident
memory with the model loaded. Needs no database or Redis.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELDOUT = Path(__file__).resolve().parent / "eval" / "appeals_heldout.jsonl"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")  # nothing here touches a database: the settings only
    import django

    django.setup()


def _rss_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in MB (Linux /proc)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _heldout() -> list[dict]:
    return [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def _serve(path: str, batch: int) -> dict:
    """In a fresh process: what a worker pays for the model (the child side of `run`)."""
    _setup()
    django_only, _ = _rss_mb()
    from dispatch.routing.textmodel import TextModel

    libraries, _ = _rss_mb()
    model = TextModel.loads(Path(path).read_bytes())
    texts = [row["text"] for row in _heldout()]
    model.predict(texts[:10])  # the first call reads jieba's dictionary
    loaded, _ = _rss_mb()
    latencies = []
    for text in texts * 3:
        start = time.perf_counter()
        model.predict([text])
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    batches = [(texts * (batch // len(texts) + 1))[:batch] for _ in range(5)]
    start, cpu = time.perf_counter(), time.process_time()
    for texts_of_batch in batches:
        model.predict(texts_of_batch)
    per_second = batch * len(batches) / (time.perf_counter() - start)
    per_cpu_second = batch * len(batches) / (time.process_time() - cpu)  # what a core of its own would do
    after, peak = _rss_mb()
    return {
        "p50_ms": 1000 * statistics.median(latencies), "p99_ms": 1000 * latencies[int(0.99 * len(latencies)) - 1],
        "samples": len(latencies), "batch": batch, "per_second": per_second, "per_cpu_second": per_cpu_second,
        "rss_django_mb": django_only, "rss_libraries_mb": libraries, "rss_loaded_mb": loaded,
        "rss_after_mb": after, "rss_peak_mb": peak,
    }


def run(batch: int) -> int:
    _setup()
    from dispatch.routing import learning
    from dispatch.routing.textmodel import CONSULTATION, TextModel, accuracy

    train = [e for e in learning.shipped_examples() if not learning.is_heldout(e.text)]
    start = time.perf_counter()
    model = TextModel().fit([e.text for e in train], [e.category for e in train], [e.kind for e in train],
                            [e.urgent for e in train])
    fit_seconds = time.perf_counter() - start
    rows = _heldout()
    known = [row for row in rows if row["category"] in set(model.classes)]
    print(f"trained on {len(train)} shipped examples ({len(model.classes)} categories) in {fit_seconds:.0f} s")
    print(f"held-out evaluation set: {len(rows)} appeals ({len(rows) - len(known)} of categories never trained on,"
          f" counted as wrong)")
    for label, subset in (("all", rows), ("zh", [r for r in rows if r["lang"] == "zh"]),
                          ("en", [r for r in rows if r["lang"] == "en"])):
        scores = accuracy(model, [r["text"] for r in subset], [r["category"] for r in subset])
        print(f"  {label:3} {len(subset):4} appeals: top-1 {scores['top1']:.3f}  top-3 {scores['top3']:.3f}")
    pairs = list(zip(model.predict([row["text"] for row in rows]), rows, strict=True))
    kind = statistics.mean((p.kind == CONSULTATION) == (r["kind"] == CONSULTATION) for p, r in pairs)
    dangers = [p.urgent for p, r in pairs if r["urgent"]]
    alarms = [r["urgent"] for p, r in pairs if p.urgent]
    print(f"  kind (consultation or not) accuracy {kind:.3f}; urgent: {sum(dangers)} of {len(dangers)} caught"
          f" (recall {sum(dangers) / max(len(dangers), 1):.3f}), precision {sum(alarms) / max(len(alarms), 1):.3f}")

    with tempfile.NamedTemporaryFile(suffix=".model") as stored:
        blob = model.dumps()
        stored.write(blob)
        stored.flush()
        del model
        child = subprocess.run(
            [sys.executable, "-m", "bench.classify", "--serve", stored.name, "--batch", str(batch)],
            capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
        )
    served = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"stored model: {len(blob) / 1e6:.1f} MB (compressed)")
    print(f"one appeal at a time ({served['samples']} calls): p50 {served['p50_ms']:.1f} ms, "
          f"p99 {served['p99_ms']:.1f} ms (target p99 < 20 ms)")
    print(f"batches of {served['batch']}: {served['per_second']:.0f} appeals/s in one process "
          f"({served['per_cpu_second']:.0f} per second of its CPU time: what a core of its own does)")
    print(f"resident memory: {served['rss_django_mb']:.0f} MB with Django set up, {served['rss_libraries_mb']:.0f} MB "
          f"with scikit-learn and jieba, {served['rss_loaded_mb']:.0f} MB with the model loaded, "
          f"{served['rss_after_mb']:.0f} MB after the batches, peak {served['rss_peak_mb']:.0f} MB "
          f"(worker budget 400 MB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench classify", description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=500, help="appeals per batch for the throughput figure")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the child process: a stored model's path
    args = parser.parse_args(argv)
    if args.serve:
        print(json.dumps(_serve(args.serve, args.batch)))
        return 0
    return run(args.batch)


if __name__ == "__main__":
    sys.exit(main())
