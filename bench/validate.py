"""Benchmark: ``finetune-bot validate`` with a model's rules, against a bare orjson loop over the same file.

Generates a mixed JSONL file in a temporary folder (deterministic for a seed), then, in the same run
and ``--runs`` times each, times a bare ``orjson.loads`` loop over its lines (in this process) and
``finetune-bot validate FILE --type TYPE --model MODEL --json`` as a child process: the wall time
of the whole command (start-up, catalogue, tokenizer and report included), its CPU time (with the
processes it forks), the largest peak RSS of any one of its processes (``wait4``), and the peak of
the memory of the command and all its processes together, polled every 20 ms from ``/proc``: the
sum of their PSS (each shared page counted once, split between the processes sharing it) and the
sum of their RSS (shared pages counted in every process). Prints the medians, the ratio of the
medians and each run's own ratio (the two loops of a run are timed back to back, so they see about
the same load), the load average, and the file's make-up.

Scenarios:

* ``mixed`` (the headline): prompt/completion records checked against Titan Text G1 Express's
  instruction rules (4,096 tokens per record, no public tokenizer): mostly short and medium
  records, some long ones that must be counted, some near or over the limit, a few in Chinese,
  Japanese or accented text, some duplicates, and some conversation-format records (which a
  prompt/completion file must not hold: each is reported).
* ``conversation``: bedrock-conversation-2024 records (single- and multi-turn, with system
  prompts) checked against Llama 3.2 11B's rules (16,000 tokens, exact tokenizer), some near
  the limit.

    python bench/validate.py [--size-mb 1024] [--runs 3] [--scenario mixed|conversation|all] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
_FOREIGN = (
    "Les données du client ont été mises à jour après la réclamation.",
    "Die Größe der Sendung war größer als erwartet.",
    "顧客のアカウントは請求書の発行後に更新されました。",
    "客户在收到发票后申请了退款。",
    "고객 계정이 청구서 발행 후 업데이트되었습니다.",
)
_CODE = (
    "def total(items):\n    return sum(item.price for item in items)\n",
    "SELECT id, name FROM customers WHERE active = 1 ORDER BY name;\n",
    '{"order": 1042, "items": [{"sku": "A-17", "qty": 2}], "paid": true}\n',
)

#: Record kinds of the mixed file and their shares; characters of text per kind (low, high).
_MIXED = {
    "short (0.2-3.5 KB)": (0.9528, (200, 3_500)),
    "long (4-9 KB: over 4,096 bytes, so checked further)": (0.005, (4_000, 9_000)),
    "near the limit (12-20 KB)": (0.002, (12_000, 20_000)),
    "over the limit (24-30 KB)": (0.0002, (24_000, 30_000)),
    "non-ASCII": (0.02, (200, 2_000)),
    "conversation format": (0.02, (200, 2_000)),
}
_CONVERSATIONS = {
    "single-turn": (0.7, (200, 3_000)),
    "multi-turn": (0.2895, (1_000, 8_000)),
    "long (counted, 17-40 KB)": (0.01, (17_000, 40_000)),
    "near the limit (60-75 KB)": (0.0005, (60_000, 75_000)),
}
#: Share of records repeated from a recent one.
_DUPLICATES = 0.002


@dataclass(frozen=True)
class Scenario:
    """One file to generate and the rules to check it with."""

    name: str
    customization: str
    model: str
    kinds: dict[str, tuple[float, tuple[int, int]]]
    #: Writes one record: (text source, rng, kind, fewest characters, most characters, record number).
    make: Callable[[_Text, random.Random, str, int, int, int], bytes]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 24))
    return " ".join(words).capitalize() + "."


class _Text:
    """Prose of a requested length, from a fixed pool of paragraphs (fast, and deterministic per seed)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(1, 8))) for _ in range(4000)]

    def of(self, characters: int, *, foreign: bool = False) -> str:
        parts: list[str] = []
        length = 0
        while length < characters:
            part = (
                self._rng.choice(_FOREIGN)
                if foreign and self._rng.random() < 0.5
                else self._rng.choice(self._paragraphs)
            )
            if self._rng.random() < 0.03:
                part += "\n```\n" + self._rng.choice(_CODE) + "```"
            parts.append(part)
            length += len(part) + 2
        return "\n\n".join(parts)[:characters]


def _flat_record(text: _Text, rng: random.Random, kind: str, low: int, high: int, index: int) -> bytes:
    size = rng.randint(low, high)
    if kind == "conversation format":
        return _conversation(text, rng, size, turns=1)
    foreign = kind.startswith("non-ASCII")
    split = rng.randint(size // 4, 3 * size // 4)
    prompt = f"Ticket {index}. " + text.of(split, foreign=foreign)
    return orjson.dumps({"prompt": prompt, "completion": text.of(size - split, foreign=foreign)})


def _conversation(text: _Text, rng: random.Random, size: int, *, turns: int) -> bytes:
    per_turn = max(size // (2 * turns), 20)
    messages = []
    for _ in range(turns):
        messages.append({"role": "user", "content": [{"text": text.of(per_turn)}]})
        messages.append({"role": "assistant", "content": [{"text": text.of(per_turn)}]})
    record: dict[str, Any] = {"schemaVersion": "bedrock-conversation-2024", "messages": messages}
    if rng.random() < 0.5:
        record["system"] = [{"text": "You are a careful support agent."}]
    return orjson.dumps(record)


def _conversation_record(text: _Text, rng: random.Random, kind: str, low: int, high: int, index: int) -> bytes:
    turns = rng.randint(2, 5) if kind == "multi-turn" else 1
    return _conversation(text, rng, rng.randint(low, high), turns=turns)


SCENARIOS = {
    "mixed": Scenario(
        "mixed",
        "instruction",
        "amazon.titan-text-express-v1:0:8k",
        _MIXED,
        _flat_record,
    ),
    "conversation": Scenario(
        "conversation",
        "conversation",
        "meta.llama3-2-11b-instruct-v1:0:128k",
        _CONVERSATIONS,
        _conversation_record,
    ),
}


def generate(scenario: Scenario, path: Path, size_bytes: int, seed: int) -> tuple[Counter[str], Counter[str]]:
    """Write records until the file reaches ``size_bytes``; returns the records and the bytes written per kind."""
    rng = random.Random(seed)
    text = _Text(rng)
    names = list(scenario.kinds)
    weights = [share for share, _ in scenario.kinds.values()]
    kinds: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    recent: list[bytes] = []
    written = 0
    with path.open("wb") as out:
        while written < size_bytes:
            if recent and rng.random() < _DUPLICATES:
                line, kind = rng.choice(recent), "duplicate"
            else:
                kind = rng.choices(names, weights)[0]
                low, high = scenario.kinds[kind][1]
                line = scenario.make(text, rng, kind, low, high, sum(kinds.values()) + 1) + b"\n"
                recent = [*recent[-99:], line]
            kinds[kind] += 1
            sizes[kind] += len(line)
            out.write(line)
            written += len(line)
    return kinds, sizes


def bare_loop(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds for ``orjson.loads`` over every line, iterating the file in binary."""
    loads = orjson.loads
    start, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as stream:
        for line in stream:
            loads(line)
    return time.perf_counter() - start, time.process_time() - cpu


class TreeMemory:
    """Polls the memory of a process and its descendants (Linux ``/proc``) until stopped; peaks in MiB."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self._pid = pid
        self._every = every
        self._stop = threading.Event()
        self.pss = self.rss = 0.0
        self.processes = 0
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set():
            pss = rss = 0
            pids = self._tree(self._pid)
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as rollup:
                        for line in rollup:
                            if line.startswith("Pss:"):
                                pss += int(line.split()[1])
                            elif line.startswith("Rss:"):
                                rss += int(line.split()[1])
                except OSError:
                    continue
            self.pss, self.rss = max(self.pss, pss / 1024), max(self.rss, rss / 1024)
            self.processes = max(self.processes, len(pids))
            self._stop.wait(self._every)

    def _tree(self, pid: int) -> list[int]:
        found = [pid]
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                for child in children.read().split():
                    found += self._tree(int(child))
        except OSError:
            pass
        return found


@dataclass(frozen=True)
class Run:
    """One ``finetune-bot validate`` child: wall and CPU seconds, peaks (MiB) and its JSON report."""

    seconds: float
    cpu: float
    peak_rss: float
    tree_pss: float
    tree_rss: float
    processes: int
    report: dict[str, Any]


def validate_once(path: Path, scenario: Scenario) -> Run:
    """One ``finetune-bot validate`` child, timed and measured."""
    command = [
        sys.executable,
        "-m",
        "bot",
        "validate",
        str(path),
        "--type",
        scenario.customization,
        "--model",
        scenario.model,
        "--json",
    ]
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors) as child:
            memory = TreeMemory(child.pid)
            assert child.stdout is not None
            out = child.stdout.read()
            # wait4 reports this child's own peak RSS (RUSAGE_CHILDREN would mix all runs).
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - start
            memory.stop()
            child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in (0, 1):
            errors.seek(0)
            raise SystemExit(f"validate failed ({child.returncode}): {errors.read().decode(errors='replace')}")
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024
    return Run(seconds, cpu, peak, memory.pss, memory.rss, memory.processes, json.loads(out))


def run_scenario(scenario: Scenario, path: Path, size_mb: int, runs: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    kinds, sizes = generate(scenario, path, size_mb << 20, seed)
    size = path.stat().st_size
    records = sum(kinds.values())
    took = time.perf_counter() - started
    print(f"\n## {scenario.name}: {size / 1e6:,.0f} MB, {records:,} records, generated in {took:.0f} s")
    print("   records     share   bytes   kind")
    for kind, count in kinds.most_common():
        print(f"   {count:>10,}  {count / records:6.2%}  {sizes[kind] / size:6.2%}  {kind}")
    bare, bare_cpu, validate, validate_cpu, peaks, ratios, loads = [], [], [], [], [], [], []
    tree_pss, tree_rss = [], []
    report: dict[str, Any] = {}
    for number in range(1, runs + 1):
        wall, cpu = bare_loop(path)
        bare.append(wall)
        bare_cpu.append(cpu)
        run = validate_once(path, scenario)
        report = run.report
        validate.append(run.seconds)
        validate_cpu.append(run.cpu)
        peaks.append(run.peak_rss)
        tree_pss.append(run.tree_pss)
        tree_rss.append(run.tree_rss)
        ratios.append(wall / run.seconds)
        loads.append(os.getloadavg())
        print(
            f"   run {number}: bare loop {wall:.2f} s ({cpu:.2f} s CPU), validate {run.seconds:.2f} s "
            f"({run.cpu:.2f} s CPU, {run.processes} processes), ratio {ratios[-1]:.2f}; peak RSS {run.peak_rss:.0f} "
            f"MiB, all processes together PSS {run.tree_pss:.0f} MiB (RSS {run.tree_rss:.0f} MiB); "
            f"load average {' '.join(f'{load:.2f}' for load in loads[-1])}"
        )
    bare_s, validate_s = statistics.median(bare), statistics.median(validate)
    bare_c, validate_c = statistics.median(bare_cpu), statistics.median(validate_cpu)
    result = {
        "scenario": scenario.name,
        "model": scenario.model,
        "size_mb": size / 1e6,
        "records": records,
        "bare_mb_s": size / bare_s / 1e6,
        "validate_mb_s": size / validate_s / 1e6,
        "ratio": bare_s / validate_s,
        "run_ratios": ratios,
        "cpu_ratio": bare_c / validate_c,
        "peak_rss_mib": max(peaks),
        "peak_pss_all_mib": max(tree_pss),
        "peak_rss_all_mib": max(tree_rss),
        "load": [min(load[0] for load in loads), max(load[0] for load in loads)],
        "issues": {issue["code"]: issue["count"] for issue in report["issues"]},
        "tokens": {key: report["stats"]["tokens"][key] for key in ("total", "low", "high", "counted_records")},
    }
    print(f"   bare orjson.loads loop : {result['bare_mb_s']:7.1f} MB/s (median of {runs})")
    print(f"   finetune-bot validate  : {result['validate_mb_s']:7.1f} MB/s (median of {runs}, whole command)")
    print(f"   ratio validate / bare  : {result['ratio']:7.2f} (of the medians; per run {_list(ratios)})")
    print(
        f"   per CPU second         : {size / validate_c / 1e6:7.1f} MB/s against {size / bare_c / 1e6:.1f} MB/s, "
        f"ratio {result['cpu_ratio']:.2f} (less sensitive to other work on the machine)"
    )
    print(f"   peak RSS (largest run) : {result['peak_rss_mib']:7.1f} MiB (the largest process)")
    print(
        f"   all processes together : {result['peak_pss_all_mib']:7.1f} MiB PSS, "
        f"{result['peak_rss_all_mib']:.1f} MiB RSS (largest run; shared pages counted once, and in each)"
    )
    print(f"   issues                 : {json.dumps(result['issues'])}")
    print(f"   tokens                 : {json.dumps(result['tokens'])}")
    return result


def _list(values: Sequence[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="size of each generated file (MiB)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per scenario (medians are reported)")
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument("--out-dir", type=Path, help="where to write the files (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)
    chosen = list(SCENARIOS.values()) if args.scenario == "all" else [SCENARIOS[args.scenario]]
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="validate-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    loads = " ".join(f"{load:.2f}" for load in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {loads} at the start; Python {sys.version.split()[0]}")
    try:
        for scenario in chosen:
            path = out_dir / f"{scenario.name}.jsonl"
            try:
                run_scenario(scenario, path, args.size_mb, args.runs, args.seed)
            finally:
                if not args.keep:
                    path.unlink(missing_ok=True)
    finally:
        if args.out_dir is None and not args.keep:
            shutil.rmtree(out_dir, ignore_errors=True)
    print(f"\nload average {' '.join(f'{load:.2f}' for load in os.getloadavg())} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
