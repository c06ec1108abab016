#!/usr/bin/env python3
"""Fails if a test run's log (GATEHOUSE_TEST_LOG, every level) holds a secret.

Usage: check-test-log.py LOG [--min-lines N]

Looks for what a leak would look like whatever test produced it: Telegram bot tokens
(<digits>:<30+ of [A-Za-z0-9_-]>), DingTalk robot secrets (SEC + hex), Telegram file URLs
(/file/bot…), and Ed25519 signing keys in note form (PRIVATE+KEY+…). An empty or tiny log
fails too: a check that saw nothing proves nothing.
"""
import re
import sys

PATTERNS = {
    "Telegram bot token": re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"),
    "DingTalk robot secret": re.compile(r"\bSEC[0-9a-fA-F]{20,}"),
    "Telegram file URL": re.compile(r"/file/bot"),
    # A DingTalk temporary download link (the emulator's: /media/download/<token>) is a credential while it lasts.
    "DingTalk download link": re.compile(r"/media/download/[A-Za-z0-9_-]{8,}"),
    "signing key": re.compile(r"PRIVATE\+KEY\+"),
    "content key": re.compile(r"CONTENT\+KEY\+[A-Za-z0-9+/=]{20,}"),
    # The credentials the tests and the demo configure (the emulators accept them).
    "test credential": re.compile(
        r"demo-secret-not-real|live-test-secret|dingtalk-secret|hook-Secret_1|e2e-Secret_1|mention-token|robot-token"
        r"|emulator-secret-0123456789|SECabcdef0123456789"
    ),
}


def main() -> int:
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    min_lines = int(args[args.index("--min-lines") + 1]) if "--min-lines" in args else 1000
    lines = 0
    leaks = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for number, line in enumerate(log, 1):
            lines += 1
            for name, pattern in PATTERNS.items():
                if pattern.search(line):
                    leaks.append((number, name, line.strip()[:300]))
    if lines < min_lines:
        print(f"check-test-log: only {lines} log lines in {path} (expected at least {min_lines}); is GATEHOUSE_TEST_LOG wired?", file=sys.stderr)
        return 1
    for number, name, line in leaks[:20]:
        print(f"{path}:{number}: {name}: {line}", file=sys.stderr)
    if leaks:
        print(f"check-test-log: {len(leaks)} line(s) leak a secret", file=sys.stderr)
        return 1
    print(f"check-test-log: {lines} log lines, no secret")
    return 0


if __name__ == "__main__":
    sys.exit(main())
