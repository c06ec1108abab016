#!/usr/bin/env python3
"""Gatehouse's whole Gate beside Hyperscan, on the same corpus, in one run.

Runs the PolicyScan benchmark (its "Gate" benchmarks: 1,000 keywords, 10 regexes, every built-in
detector, links, the decision, redaction and rendering, over 1,000 mixed Chinese/English messages),
which also writes its corpus to disk; then scans those same messages with Hyperscan (PyPI
`hyperscan`, the field's fastest multi-pattern engine) compiled with the same 1,000 keywords (as
literals, caseless as Gatehouse matches them) and four PII patterns (a mainland mobile number, a
resident identity number, a bank card, an e-mail address: patterns only, no check digits, no
decision, no rendering: the engine alone). Prints each side's throughput (p50 over the runs) and
the ratio.

Hyperscan is timed two ways: one scan call per message, as a gateway would call it (Python's
call overhead included, about a microsecond a message), and the whole corpus as one buffer (the
engine's own speed).

Usage (from the repository's root or Benchmarks/):
  python3 -m venv /tmp/hs && /tmp/hs/bin/pip install hyperscan==0.9.1
  /tmp/hs/bin/python Benchmarks/hyperscan-side-by-side.py [--policyscan PATH] [--runs N]
Without --policyscan it builds the benchmark (swift build -c release --product PolicyScan).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import hyperscan
except ImportError:
    sys.exit("needs the hyperscan module: pip install hyperscan==0.9.1")

HERE = os.path.dirname(os.path.abspath(__file__))

PII = [
    rb"1[3-9]\d{9}",
    rb"\d{17}[\dXx]",
    rb"\d{16,19}",
    rb"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}",
]


def policyscan(binary, corpus):
    """Runs the Gate benchmarks; their p50 in ms, by name."""
    environment = dict(os.environ, GATEHOUSE_BENCH_CORPUS_DIR=corpus)
    output = subprocess.run([binary, "--filter", "Gate.*"], env=environment, capture_output=True, text=True, check=True).stdout
    results = {}
    for block in output.split("Debug results for ")[1:]:
        name = block.split(":\n", 1)[0]
        match = re.search(r"Time \(wall clock\):\n(.*?)#\[Mean", block, re.S)
        if not match:
            continue
        rows = [tuple(map(float, line.split()[:2])) for line in match.group(1).splitlines()
                if re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+", line)]
        p50 = next(value for value, percentile in rows if percentile >= 0.5)
        results[name] = p50 / 1e6
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policyscan", help="a built PolicyScan benchmark binary")
    parser.add_argument("--runs", type=int, default=30, help="Hyperscan passes over the corpus")
    arguments = parser.parse_args()
    binary = arguments.policyscan
    if binary is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "PolicyScan"], cwd=HERE, check=True)
        binary = os.path.join(HERE, ".build", "release", "PolicyScan")

    corpus = tempfile.mkdtemp(prefix="gatehouse-corpus-")
    gate = policyscan(binary, corpus)
    with open(os.path.join(corpus, "messages.jsonl"), encoding="utf-8") as file:
        messages = [json.loads(line).encode() for line in file if line.strip()]
    with open(os.path.join(corpus, "keywords.txt"), encoding="utf-8") as file:
        keywords = [line.rstrip("\n") for line in file if line.strip()]
    size = sum(len(message) for message in messages)

    # Keywords as literals (every non-alphanumeric escaped), caseless and UTF-8 as Gatehouse folds
    # them; the PII patterns as written.
    expressions = [re.escape(keyword).encode() for keyword in keywords] + PII
    flags = [hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8] * len(keywords) + [0] * len(PII)
    database = hyperscan.Database()
    database.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions), flags=flags)
    found = [0]

    def on_match(identifier, start, end, flags, context):
        found[0] += 1

    per_message, whole = [], []
    joined = b"\n".join(messages)
    for _ in range(arguments.runs):
        started = time.perf_counter()
        for message in messages:
            database.scan(message, match_event_handler=on_match)
        per_message.append(time.perf_counter() - started)
        started = time.perf_counter()
        database.scan(joined, match_event_handler=on_match)
        whole.append(time.perf_counter() - started)

    megabytes = size / 1e6
    print(f"corpus: {len(messages)} messages, {megabytes:.2f} MB, {len(keywords)} keywords (written by PolicyScan to {corpus})")
    rates = {}
    for name, milliseconds in sorted(gate.items()):
        rates[name] = megabytes * (2 if "2 cores" in name else 1) / (milliseconds / 1e3)
        print(f"  Gatehouse {name}: p50 {milliseconds:.1f} ms, {rates[name]:.0f} MB/s")
    hs_message = megabytes / statistics.median(per_message)
    hs_whole = megabytes / statistics.median(whole)
    print(f"  Hyperscan, keywords + 4 PII patterns, a scan per message: p50 {statistics.median(per_message) * 1e3:.1f} ms, {hs_message:.0f} MB/s")
    print(f"  Hyperscan, the same, the corpus as one buffer: p50 {statistics.median(whole) * 1e3:.1f} ms, {hs_whole:.0f} MB/s")
    full = next((rate for name, rate in rates.items() if name.startswith("Gate: ")), None)
    if full:
        print(f"ratio, Hyperscan per message / Gatehouse's whole Gate (one core): {hs_message / full:.1f}x")


if __name__ == "__main__":
    main()
