#!/usr/bin/env python3
"""Crash test: the daemon is killed with SIGKILL at random moments and restarted, over and over,
while a steady stream of messages flows through it; nothing may be lost and the audit log must
verify after every restart. (DingTalk pushes a robot message once: one in the killed process's
socket, not yet committed, is lost by the platform. Those are counted from the emulator's list of
pushes never acknowledged, reported, and bounded per kill.)

It drives a real `gatehouse run` against the two platform emulators (`gatehouse emulate …`, which
outlive the daemon, as the platforms do), then checks:
  * every injected message (but those the platform lost) has exactly one crossing record per
    destination of its route;
  * every forwarded crossing was delivered, and arrived at its destination at least once;
  * no destination received any message more than once per kill (in-flight sends at the kill);
  * `gatehouse audit verify` passes after every kill, and at the end (records, checkpoints, content).

Usage: crash-test.py --gatehouse PATH [--kills N] [--seed S] [--keep DIR]
Only 127.0.0.1 is used; every process it starts is stopped before it returns.
"""

import argparse
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tools"))
from emulators import Emulator, http  # noqa: E402

TELEGRAM_TOKEN = "123456789:crash-test-token-not-a-real-telegram-token"
DINGTALK_ID = "dingcrash"
DINGTALK_SECRET = "crash-secret-not-real"
ORIGIN = "crash.example/audit"
# Internal group → two external chats; one external chat → one internal group.
ANNOUNCE_CHAT_IN = "cidCrashAllHands=="
SUPPORT_CHAT = -1009000000001
NEWS_CHATS = {"news": -1009000000002, "partners": -1009000000003}
DESK = "cidCrashDesk=="




class Injector(threading.Thread):
    """Posts numbered messages on both platforms at a steady pace until stopped."""

    def __init__(self, telegram, dingtalk, interval):
        super().__init__(daemon=True)
        self.telegram, self.dingtalk, self.interval = telegram, dingtalk, interval
        self.sent = []  # (text, route)
        self.robot_messages = {}  # DingTalk msgId → text
        self.failures = 0
        self.halt = threading.Event()

    def run(self):
        number = 0
        while not self.halt.is_set():
            number += 1
            text = f"crash-{number:05d}"
            try:
                if number % 2:
                    answer = http("POST", f"{self.dingtalk}/_emulator/messages", {
                        "conversationId": ANNOUNCE_CHAT_IN, "conversationType": "2",
                        "senderStaffId": "staff1", "senderNick": "Wang", "text": text,
                    })
                    self.robot_messages[answer["msgId"]] = text
                    self.sent.append((text, "announcements"))
                else:
                    http("POST", f"{self.telegram}/_emulator/updates", {
                        "kind": "message", "chat": {"id": SUPPORT_CHAT, "type": "supergroup", "title": "Support"},
                        "from": {"id": 42, "first_name": "Li"}, "text": text,
                    })
                    self.sent.append((text, "customers-in"))
            except Exception as error:  # an emulator hiccup: that message was not injected
                self.failures += 1
                print(f"  injection of {text} failed: {error}", file=sys.stderr)
            self.halt.wait(self.interval)


def config(directory, telegram, dingtalk):
    path = os.path.join(directory, "gatehouse.yaml")
    with open(path, "w") as file:
        file.write(f"""state: {directory}/state
platforms:
  corp:
    type: dingtalk
    side: internal
    client_id: {DINGTALK_ID}
    client_secret: {DINGTALK_SECRET}
    robot_code: {DINGTALK_ID}
    receive: stream
    api_url: {dingtalk}
    oapi_url: {dingtalk}
  outreach:
    type: telegram
    side: external
    token: "{TELEGRAM_TOKEN}"
    api_url: {telegram}
    receive: poll
    rate_limits: {{ chat: 1000/s, group: 100000/min, bot: 1000/s }}   # the emulator runs without limits
channels:
  all-hands: {{ platform: corp, conversation: "{ANNOUNCE_CHAT_IN}" }}
  desk:      {{ platform: corp, conversation: "{DESK}" }}
  news:      {{ platform: outreach, chat: {NEWS_CHATS["news"]} }}
  partners:  {{ platform: outreach, chat: {NEWS_CHATS["partners"]} }}
  support:   {{ platform: outreach, chat: {SUPPORT_CHAT} }}
routes:
  - name: announcements
    from: all-hands
    to: [news, partners]
    template: "{{text}}"
  - name: customers-in
    from: support
    to: [desk]
    template: "{{text}}"
audit:
  origin: {ORIGIN}
  signing_key_file: {directory}/audit.key
  checkpoint_every: 1s
  checkpoint_records: 50
""")
    return path


DESTINATIONS = {"announcements": ["news", "partners"], "customers-in": ["desk"]}
# The most DingTalk robot messages one SIGKILL may cut off in the killed process's socket, read
# from it or not yet, but not committed (at 50 a second, a few tens of milliseconds' worth).
LOST_PER_KILL = 5


def delivered_texts(telegram, dingtalk):
    """What each destination received, as a Counter of texts."""
    received = {}
    for name, chat in NEWS_CHATS.items():
        sent = http("GET", f"{telegram}/_emulator/sent?chat_id={chat}")
        received[name] = collections.Counter(m.get("text") for m in sent if m.get("method") == "sendMessage")
    sent = http("GET", f"{dingtalk}/_emulator/sent?conversation={DESK}")
    received["desk"] = collections.Counter(m.get("content") for m in sent if m.get("api") == "groupMessages/send")
    return received


def expected_texts(sent):
    """What each destination should receive, from what was injected."""
    expected = {name: set() for names in DESTINATIONS.values() for name in names}
    for text, route in sent:
        for destination in DESTINATIONS[route]:
            expected[destination].add(text)
    return expected


def unacknowledged(dingtalk, injector):
    """The injected DingTalk robot messages the platform pushed once and never saw acknowledged.
    DingTalk pushes a robot message once ("fire-forgot"): one pushed into the socket of a process
    that was killed before it took it in is lost by the platform, and is among these (so is one
    taken in and committed whose ACK the kill cut off, which must then be delivered)."""
    pushes = http("GET", f"{dingtalk}/_emulator/unacknowledged")
    return {injector.robot_messages[push["msgId"]] for push in pushes if push.get("msgId") in injector.robot_messages}


def wait_delivered(telegram, dingtalk, injector, timeout=120, grace=5):
    """Waits until every injected message arrived everywhere it should (or the timeout): those
    DingTalk may have lost (``unacknowledged``) are waited for `grace` seconds once all the others
    are in. Returns what each destination received and what it still misses."""
    deadline = time.monotonic() + timeout
    expected = expected_texts(injector.sent)
    others_in = None
    while True:
        received = delivered_texts(telegram, dingtalk)
        missing = {name: texts - set(received[name]) for name, texts in expected.items()}
        if not any(missing.values()) or time.monotonic() > deadline:
            return received, missing
        if others_in is None and set().union(*missing.values()) <= unacknowledged(dingtalk, injector):
            others_in = time.monotonic()
        if others_in is not None and time.monotonic() - others_in > grace:
            return received, missing
        time.sleep(0.5)


def check_traffic(gatehouse, state, injector, received, missing, allowed_duplicates, unacknowledged_texts=frozenset(),
                  allowed_lost=0, kept=frozenset()):
    """The checks on what crossed: nothing missing, at most `allowed_duplicates` duplicates per
    destination, nothing nobody sent; one crossing record per message and destination, and a
    delivered record for each forwarded crossing. A DingTalk robot message the platform never saw
    acknowledged (`unacknowledged_texts`) and of which the log has no crossing was lost by the
    platform in a killed process's socket: at most `allowed_lost` of those, none of `kept`.
    Returns the problems found."""
    problems = []
    export = subprocess.run([gatehouse, "audit", "export", *state, "--format", "jsonl", "--with-content"],
                            capture_output=True, text=True, check=True)
    entries = [json.loads(line) for line in export.stdout.splitlines()]
    decided = {entry["received"] for entry in entries if entry["record"]["kind"] == "crossing"}
    lost = set(unacknowledged_texts) - decided
    if lost:
        print(f"  {len(lost)} DingTalk robot message(s) pushed once into a killed instance's socket, lost by the platform: "
              f"{sorted(lost)[:5]}")
    if len(lost) > allowed_lost:
        problems.append(f"{len(lost)} robot messages lost in killed sockets, more than {allowed_lost}")
    if lost & set(kept):
        problems.append(f"robot messages pushed while no instance was killed were lost: {sorted(lost & set(kept))[:5]}")
    expected = expected_texts([(text, route) for text, route in injector.sent if text not in lost])
    for name, texts in missing.items():
        if texts - lost:
            problems.append(f"{name} never received {len(texts - lost)} message(s), e.g. {sorted(texts - lost)[:5]}")
    for name, counter in received.items():
        duplicates = sum(count - 1 for text, count in counter.items() if text in expected[name] and count > 1)
        strangers = [text for text in counter if text not in expected[name]]
        if duplicates > allowed_duplicates:
            problems.append(f"{name} received {duplicates} duplicates, more than {allowed_duplicates}")
        if strangers:
            problems.append(f"{name} received messages nobody sent: {strangers[:5]}")
        print(f"  {name}: {sum(counter.values())} received, {duplicates} duplicate(s)")

    # The log: one crossing per message and destination, and a delivery for each.
    crossings = collections.Counter()
    delivered = set()
    forwarded = {}
    for entry in entries:
        record = entry["record"]
        if record["kind"] == "crossing":
            crossings[(entry["received"], record["destination"])] += 1
            if record.get("verdict") == "forward":
                forwarded[record["sequence"]] = (entry["received"], record["destination"])
        elif record["kind"] == "delivery" and record.get("outcome") == "delivered":
            delivered.add(record["crossing"])
    for text, route in injector.sent:
        if text in lost:
            continue
        for destination in DESTINATIONS[route]:
            if crossings[(text, destination)] != 1:
                problems.append(f"{text} → {destination}: {crossings[(text, destination)]} crossing records, expected 1")
    undelivered = [value for sequence, value in forwarded.items() if sequence not in delivered]
    if undelivered:
        problems.append(f"{len(undelivered)} forwarded crossing(s) have no delivered record, e.g. {undelivered[:3]}")
    print(f"  {len(injector.sent)} messages injected ({injector.failures} injection failures), "
          f"{sum(crossings.values())} crossings, {len(delivered)} delivered")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gatehouse", required=True, help="the gatehouse executable")
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", help="keep the state and logs in this directory")
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.randrange(1 << 30)
    chance = random.Random(seed)
    print(f"crash test: {arguments.kills} kills, seed {seed}")

    directory = arguments.keep or tempfile.mkdtemp(prefix="gatehouse-crash-")
    os.makedirs(directory, exist_ok=True)
    gatehouse = os.path.abspath(arguments.gatehouse)
    logs = open(os.path.join(directory, "processes.log"), "a")
    keygen = subprocess.run([gatehouse, "audit", "keygen", "--name", ORIGIN, "--out", f"{directory}/audit.key"],
                            capture_output=True, text=True, check=True)
    verifier = keygen.stdout.strip().splitlines()[-1].strip()
    telegram = Emulator(gatehouse, "telegram", ["--token", TELEGRAM_TOKEN, "--no-rate-limits"], logs)
    dingtalk = Emulator(gatehouse, "dingtalk", ["--client-id", DINGTALK_ID, "--client-secret", DINGTALK_SECRET, "--no-rate-limits"], logs)
    daemon = None
    problems = []

    def start():
        log = open(os.path.join(directory, "daemon.log"), "a")
        return subprocess.Popen([gatehouse, "run", "--config", path, "--log-level", "info"], stdout=log, stderr=log)

    def verify(when):
        result = subprocess.run([gatehouse, "audit", "verify", "--state", f"{directory}/state", "--verifier-key", verifier,
                                 "--origin", ORIGIN, "--content-key-file", f"{directory}/audit.key"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            problems.append(f"audit verify failed {when}: {result.stdout.strip()} {result.stderr.strip()}")

    try:
        # The bot is in the channels it announces to: the emulator knows only the chats declared.
        for name, chat in NEWS_CHATS.items():
            http("POST", f"{telegram.url}/_emulator/chats", {"id": chat, "type": "supergroup", "title": name})
        path = config(directory, telegram.url, dingtalk.url)
        injector = Injector(telegram.url, dingtalk.url, interval=0.01)
        injector.start()
        for kill in range(1, arguments.kills + 1):
            daemon = start()
            # From mid-startup (migrations, first connections) to deep in steady delivery.
            time.sleep(chance.uniform(0.05, 2.0))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait()
            verify(f"after kill {kill}")
            print(f"  kill {kill}: {len(injector.sent)} messages injected so far")
        injector.halt.set()
        injector.join()

        # A last run, left alone until everything injected has arrived, then stopped cleanly.
        daemon = start()
        received, missing = wait_delivered(telegram.url, dingtalk.url, injector)
        pushed_once = unacknowledged(dingtalk.url, injector)
        daemon.send_signal(signal.SIGTERM)
        if daemon.wait(timeout=30) != 0:
            problems.append(f"the daemon did not stop cleanly on SIGTERM (exit {daemon.returncode})")
        verify("at the end")
        problems += check_traffic(gatehouse, ["--state", f"{directory}/state"], injector, received, missing, arguments.kills,
                                  pushed_once, LOST_PER_KILL * arguments.kills)
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        telegram.stop()
        dingtalk.stop()
        logs.close()

    if problems:
        print(f"crash test FAILED (seed {seed}; state and logs in {directory}):")
        for problem in problems[:30]:
            print(f"  - {problem}")
        return 1
    print("crash test passed")
    if not arguments.keep:
        subprocess.run(["rm", "-rf", directory])
    return 0


if __name__ == "__main__":
    sys.exit(main())
