"""Benchmark: dataset validation throughput and peak memory against a bare orjson loop.

Generates a realistic prompt/completion JSONL file (varied lengths, paragraphs, code, some
non-ASCII text and a few duplicates), times ``orjson.loads`` over its lines, then runs
``validate_dataset`` on it in a child process, so the child's peak RSS is the validation's alone.

    python bench/validate.py [--size-mb 1024] [--keep] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

_VOCABULARY = (
    "the of and to in is that for it as with was on be by this are from at or an have not which but all "
    "can their more will one about also has been other when there these into some than only its time "
    "would may new use two any like could first such how most data model user system value return file "
    "error table query number state update result order customer account service request response "
    "report invoice shipment refund policy contract clause summary translate explain classify"
)
_WORDS = tuple(_VOCABULARY.split())
_FOREIGN = ("café", "naïve", "résumé", "Größe", "señor", "日本語のテキスト", "데이터", "数据集", "😀", "→")
_CODE = (
    "def total(items):\n    return sum(item.price for item in items)\n",
    "SELECT id, name FROM customers WHERE active = 1 ORDER BY name;\n",
    '{"order": 1042, "items": [{"sku": "A-17", "qty": 2}], "paid": true}\n',
)


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 24))
    if rng.random() < 0.05:
        words.insert(rng.randrange(len(words)), rng.choice(_FOREIGN))
    return " ".join(words).capitalize() + "."


def generate(path: Path, size_bytes: int, seed: int) -> int:
    """Write records until the file reaches ``size_bytes``; returns the number of records."""
    rng = random.Random(seed)
    paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(1, 8))) for _ in range(4000)]
    written = records = 0
    recent: list[bytes] = []
    with path.open("wb") as out:
        while written < size_bytes:
            records += 1
            if recent and rng.random() < 0.002:
                line = rng.choice(recent)
            else:
                line = _record(rng, paragraphs, records)
                recent = [*recent[-99:], line]
            out.write(line)
            written += len(line)
    return records


def _record(rng: random.Random, paragraphs: list[str], index: int) -> bytes:
    context = "\n\n".join(rng.choices(paragraphs, k=min(int(rng.lognormvariate(0.7, 0.6)) + 1, 12)))
    prompt = f"Ticket {index}. {rng.choice(paragraphs)}\n\nContext:\n{context}"
    if rng.random() < 0.1:
        prompt += "\n```\n" + rng.choice(_CODE) + "```"
    completion = " ".join(rng.choices(paragraphs, k=rng.randint(1, 4)))
    return orjson.dumps({"prompt": prompt, "completion": completion}) + b"\n"


def bare_loop(path: Path) -> float:
    """Seconds for ``orjson.loads`` over every line, iterating the file in binary."""
    loads = orjson.loads
    start = time.perf_counter()
    with path.open("rb") as stream:
        for line in stream:
            loads(line)
    return time.perf_counter() - start


def child(path: Path) -> None:
    """Run in the child process: validate and print a JSON summary on stdout."""
    from workflows.validation import validate_dataset

    start = time.perf_counter()
    report = validate_dataset(path)
    seconds = time.perf_counter() - start
    tokens = report.stats.tokens
    summary = {
        "seconds": seconds,
        "valid": report.valid,
        "records": report.stats.records,
        "issues": {issue.code.value: issue.count for issue in report.issues},
        "tokens": tokens.total,
        "tokens_counted_records": tokens.counted_records,
        "tokens_sampling_error": tokens.sampling_error,
    }
    print(json.dumps(summary))


def validate_in_child(path: Path) -> tuple[dict[str, Any], float]:
    """The child's summary, and its peak RSS in MiB (ru_maxrss is in KiB on Linux)."""
    done = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, capture_output=True, text=True)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return json.loads(done.stdout), peak_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the generated file (MiB)")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--out-dir", type=Path, help="where to write the file (default: a new temp dir)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="validate-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "prompt-completion.jsonl"
    try:
        run(path, args.size_mb, args.seed)
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            if args.out_dir is None:
                shutil.rmtree(out_dir, ignore_errors=True)


def run(path: Path, size_mb: int, seed: int) -> None:
    start = time.perf_counter()
    records = generate(path, size_mb << 20, seed)
    size = path.stat().st_size
    print(
        f"generated {size / 1e6:,.0f} MB, {records:,} prompt/completion records in {time.perf_counter() - start:.1f} s"
    )
    print(f"mean record {size / records:,.0f} bytes")
    bare = bare_loop(path)
    summary, peak_mib = validate_in_child(path)
    seconds = float(summary["seconds"])
    print(f"bare orjson.loads loop : {size / bare / 1e6:7.1f} MB/s  ({bare:.2f} s)")
    print(f"validate_dataset       : {size / seconds / 1e6:7.1f} MB/s  ({seconds:.2f} s)")
    print(f"ratio validate / bare  : {bare / seconds:7.2f}")
    print(f"validation peak RSS    : {peak_mib:7.1f} MiB")
    print(f"report                 : {json.dumps({k: v for k, v in summary.items() if k != 'seconds'})}")


if __name__ == "__main__":
    main()
