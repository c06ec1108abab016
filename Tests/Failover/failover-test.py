#!/usr/bin/env python3
"""Failover test: three instances on one PostgreSQL ledger, messages flowing both ways (about 20 a
second); the active instance is killed with SIGKILL at random moments (and restarted, as systemd
would, as a standby), and once frozen with SIGSTOP, then woken after a standby took over. Checks:
  * after each kill a standby takes over (its /readyz answers 200) within 10 s; the takeover times
    are printed (p50, max);
  * the frozen instance, woken, writes nothing (its lease is gone: it stops with an error);
  * every injected message has exactly one crossing record per destination, each forwarded crossing
    a delivered record, every destination received it, at most one duplicate per takeover — but
    for DingTalk robot messages pushed into a killed instance's socket, which DingTalk never pushes
    again (counted, bounded per kill); none pushed to the frozen instance is lost: woken, it hands
    them to the active one through the database;
  * an operator on a standby's admin socket is answered by the active instance: `status` says
    standby, `holds` lists the active instance's holds, and `holds approve` there releases a held
    message, audited in the operator's name; a standby's console answers, read-only;
  * `gatehouse audit verify` passes on the shared ledger at the end.

Usage: failover-test.py --gatehouse PATH --postgres URL [--kills N] [--seed S] [--keep DIR]
The URL's password (a test server's) is written to a file the instances read (password_file).
Only 127.0.0.1 is used; every process it starts is stopped before it returns.
"""

import argparse
import importlib.util
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tools"))
from emulators import Emulator, free_port, http, ready  # noqa: E402

# The traffic, its config and its checks are the crash test's (Tests/Crash/crash-test.py).
spec = importlib.util.spec_from_file_location("crash_test", os.path.join(HERE, "..", "Crash", "crash-test.py"))
crash = importlib.util.module_from_spec(spec)
spec.loader.exec_module(crash)

INSTANCES = 3
TAKEOVER_LIMIT = 10.0



def admin(gatehouse, socket, *arguments):
    return subprocess.run([gatehouse, *arguments, "--socket", socket], capture_output=True, text=True)


def relay_check(gatehouse, directory, active, injector, dingtalk, consoles):
    """A held announcement, listed and approved from a standby's socket; the standby's console
    answering read-only. Returns the problems."""
    problems = []
    leader = active()[0]
    standby = next(index for index in range(INSTANCES) if index != leader)
    # The standby may be the instance the last kill restarted, still starting: it gets a while.
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{consoles[standby]}/signin", timeout=5) as response:
                page = response.read().decode()
            if "stands by" not in page:
                problems.append(f"the console of standby {standby} does not say it stands by")
            break
        except (urllib.error.URLError, OSError) as error:
            if time.monotonic() > deadline:
                problems.append(f"the console of standby {standby} does not answer: {error}")
                break
            time.sleep(0.2)
    socket = f"{directory}/admin-{standby}.sock"
    status = admin(gatehouse, socket, "status")
    if "standby" not in status.stdout:
        problems.append(f"status on standby {standby} does not say standby: {status.stdout.strip()} {status.stderr.strip()}")
    text = "HOLDME relay-check"
    http("POST", f"{dingtalk}/_emulator/messages", {
        "conversationId": crash.ANNOUNCE_CHAT_IN, "conversationType": "2",
        "senderStaffId": "staff1", "senderNick": "Wang", "text": text,
    })
    injector.sent.append((text, "announcements"))
    deadline = time.monotonic() + 90
    held = []
    while time.monotonic() < deadline and len(held) < 2:
        listing = admin(gatehouse, socket, "holds", "list")
        held = [line.split()[0] for line in listing.stdout.splitlines() if line[:1].isdigit()]
        time.sleep(0.3)
    if len(held) != 2:
        problems.append(f"holds on standby {standby} listed {held}, not the 2 held copies: {listing.stdout} {listing.stderr}")
        return problems
    for job in held:
        approved = admin(gatehouse, socket, "holds", "approve", job, "--reason", "checked through a standby")
        if approved.returncode != 0 or "uid" not in approved.stdout:
            problems.append(f"holds approve {job} on standby {standby} failed: {approved.stdout.strip()} {approved.stderr.strip()}")
    print(f"  admin relay: instance {standby} (standby) said standby, listed {len(held)} holds and approved them "
          f"through instance {leader}; its console answered read-only")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gatehouse", required=True, help="the gatehouse executable")
    parser.add_argument("--postgres", required=True, help="postgres://user:password@127.0.0.1:PORT/database")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", help="keep the logs in this directory")
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.randrange(1 << 30)
    chance = random.Random(seed)
    print(f"failover test: {INSTANCES} instances, {arguments.kills} kills and one freeze, seed {seed}")

    directory = arguments.keep or tempfile.mkdtemp(prefix="gatehouse-failover-")
    os.makedirs(directory, exist_ok=True)
    gatehouse = os.path.abspath(arguments.gatehouse)
    logs = open(os.path.join(directory, "processes.log"), "a")
    # A schema of its own on the test server; the password in a file, as in production.
    url = urllib.parse.urlsplit(arguments.postgres)
    with open(f"{directory}/postgres-password", "w") as file:
        file.write(urllib.parse.unquote(url.password or ""))
    schema = "failover_" + uuid.uuid4().hex[:12]
    query = urllib.parse.parse_qs(url.query)
    query["search_path"] = [schema]
    netloc = f"{url.username}@{url.hostname}:{url.port or 5432}"
    ledger_url = urllib.parse.urlunsplit((url.scheme, netloc, url.path, urllib.parse.urlencode(query, doseq=True), ""))
    state = ["--state", ledger_url, "--password-file", f"{directory}/postgres-password"]

    keygen = subprocess.run([gatehouse, "audit", "keygen", "--name", crash.ORIGIN, "--out", f"{directory}/audit.key"],
                            capture_output=True, text=True, check=True)
    verifier = keygen.stdout.strip().splitlines()[-1].strip()
    telegram = Emulator(gatehouse, "telegram", ["--token", crash.TELEGRAM_TOKEN, "--no-rate-limits"], logs)
    dingtalk = Emulator(gatehouse, "dingtalk", ["--client-id", crash.DINGTALK_ID, "--client-secret", crash.DINGTALK_SECRET,
                                                "--no-rate-limits"], logs)
    ports = [free_port() for _ in range(INSTANCES)]
    consoles = [free_port() for _ in range(INSTANCES)]
    configs = []
    processes = [None] * INSTANCES
    problems = []
    takeovers = []

    def start(index):
        log = open(os.path.join(directory, f"instance-{index}.log"), "a")
        processes[index] = subprocess.Popen([gatehouse, "run", "--config", configs[index], "--log-level", "info"],
                                            stdout=log, stderr=log)

    def active():
        """The instances whose /readyz says ready."""
        return [index for index in range(INSTANCES) if processes[index].poll() is None and ready(ports[index])]

    def await_active(since, excluding):
        """Waits for an instance other than the process `excluding` to be ready (the instance
        started again in its place counts); returns it and the seconds taken."""
        while time.monotonic() - since < 60:
            # An instance that stopped (a lost lease) is started again, as systemd would.
            for index in range(INSTANCES):
                if processes[index] is not excluding and processes[index].poll() is not None:
                    start(index)
            found = [index for index in active() if processes[index] is not excluding]
            if found:
                return found[0], time.monotonic() - since
            time.sleep(0.05)
        return None, time.monotonic() - since

    try:
        for name, chat in crash.NEWS_CHATS.items():
            http("POST", f"{telegram.url}/_emulator/chats", {"id": chat, "type": "supergroup", "title": name})
        base = crash.config(directory, telegram.url, dingtalk.url)
        text = open(base).read()
        for index in range(INSTANCES):
            path = f"{directory}/instance-{index}.yaml"
            with open(path, "w") as file:
                file.write(text.replace(
                    f"state: {directory}/state\n",
                    f"state:\n  url: {ledger_url}\n  password_file: {directory}/postgres-password\n"
                    f"listen:\n  http: 127.0.0.1:{ports[index]}\n  admin: {directory}/admin-{index}.sock\n"
                    f"  console: 127.0.0.1:{consoles[index]}\n"
                    f"console:\n  url: http://127.0.0.1:{consoles[index]}\n  sign_in: corp\n  roles: {{ admin: [staff:staff1] }}\n"
                    # A message with HOLDME is held for an operator (the admin relay's check).
                    "checks:\n  hold-me: { keywords: [HOLDME] }\n").replace(
                    "    to: [news, partners]\n", "    to: [news, partners]\n    on: { hold-me: hold }\n"))
            configs.append(path)
        for index in range(INSTANCES):
            start(index)
        leader, _ = await_active(time.monotonic(), excluding=None)
        if leader is None:
            raise SystemExit("no instance became active")
        # About 20 messages a second: steady traffic through every takeover, which a loaded 2-core
        # CI machine (three instances, PostgreSQL and both emulators on it) keeps up with.
        injector = crash.Injector(telegram.url, dingtalk.url, interval=0.05)
        injector.start()
        freeze_at = chance.randrange(1, arguments.kills + 1)
        kept = set()
        for kill in range(1, arguments.kills + 1):
            time.sleep(chance.uniform(0.2, 3.0))
            leader = (active() or [leader])[0]
            if kill == freeze_at:
                # Frozen, not dead: its lease runs out while it sleeps, a standby takes over, and
                # when it wakes it must find it can no longer write.
                frozen = processes[leader]
                frozen_from = len(injector.sent)
                frozen.send_signal(signal.SIGSTOP)
                successor, took = await_active(time.monotonic(), excluding=frozen)
                takeovers.append(took)
                frozen.send_signal(signal.SIGCONT)
                try:
                    status = processes[leader].wait(timeout=15)
                    print(f"  freeze: instance {leader} frozen, {successor} active after {took:.2f} s; "
                          f"woken, {leader} stopped itself (exit {status})")
                    if status == 0:
                        problems.append(f"the woken instance {leader} exited 0, not with the lost lease's error")
                    elif status < 0:
                        # Killed by a signal: it crashed instead of stopping with the lost lease's error.
                        log = open(os.path.join(directory, f"instance-{leader}.log")).read().splitlines()
                        problems.append(f"the woken instance {leader} crashed (signal {-status}): " + " / ".join(log[-12:]))
                except subprocess.TimeoutExpired:
                    problems.append(f"the woken instance {leader} still runs 15 s after it lost its lease")
                    processes[leader].kill()
                    processes[leader].wait()
                # What DingTalk pushed to the frozen instance meanwhile (and never pushes again)
                # was handed to the active one: none of these may be lost. What it pushed to the
                # active one meanwhile is taken in before the next kill: one still in the active
                # instance's socket when that kill comes is that kill's loss, not the freeze's.
                window = {text for text, _ in injector.sent[frozen_from:]}
                settle = time.monotonic() + 20
                while crash.unacknowledged(dingtalk.url, injector) & window and time.monotonic() < settle:
                    time.sleep(0.2)
                kept.update(window)
                start(leader)
            else:
                killed = processes[leader]
                killed.send_signal(signal.SIGKILL)
                killed_at = time.monotonic()
                killed.wait()
                start(leader)  # back, as a standby
                successor, took = await_active(killed_at, excluding=killed)
                takeovers.append(took)
                print(f"  kill {kill}: instance {leader} killed, {successor} active after {took:.2f} s; "
                      f"{len(injector.sent)} messages injected so far")
            if successor is None or took > TAKEOVER_LIMIT:
                problems.append(f"takeover {len(takeovers)} took {took:.2f} s (limit {TAKEOVER_LIMIT:.0f} s)")
            leader = successor if successor is not None else leader
        injector.halt.set()
        injector.join()

        problems += relay_check(gatehouse, directory, active, injector, dingtalk.url, consoles)
        received, missing = crash.wait_delivered(telegram.url, dingtalk.url, injector, timeout=300)
        pushed_once = crash.unacknowledged(dingtalk.url, injector)
        for index in range(INSTANCES):
            if processes[index].poll() is None:
                processes[index].send_signal(signal.SIGTERM)
        for index in range(INSTANCES):
            try:
                processes[index].wait(timeout=30)
            except subprocess.TimeoutExpired:
                problems.append(f"instance {index} did not stop on SIGTERM")
        result = subprocess.run([gatehouse, "audit", "verify", *state, "--verifier-key", verifier, "--origin", crash.ORIGIN,
                                 "--content-key-file", f"{directory}/audit.key"], capture_output=True, text=True)
        print("  " + (result.stdout.strip().splitlines() or [""])[-1])
        if result.returncode != 0:
            problems.append(f"audit verify failed: {result.stdout.strip()} {result.stderr.strip()}")
        problems += crash.check_traffic(gatehouse, state, injector, received, missing, len(takeovers), pushed_once,
                                        crash.LOST_PER_KILL * arguments.kills, kept)
        if takeovers:
            ordered = sorted(takeovers)
            print(f"  takeover times over {len(ordered)} takeovers: p50 {statistics.median(ordered):.2f} s, "
                  f"max {ordered[-1]:.2f} s")
    finally:
        for process in processes:
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        telegram.stop()
        dingtalk.stop()
        logs.close()

    if problems:
        print(f"failover test FAILED (seed {seed}; logs in {directory}):")
        for problem in problems[:30]:
            print(f"  - {problem}")
        return 1
    print("failover test passed")
    if not arguments.keep:
        subprocess.run(["rm", "-rf", directory])
    return 0


if __name__ == "__main__":
    sys.exit(main())
