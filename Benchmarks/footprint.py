#!/usr/bin/env python3
"""The daemon's footprint: how long it takes to be ready, and its resident memory idle and under
load, with both platforms configured (over the emulators, which run in processes of their own so
that their memory is not counted).

Starts `gatehouse emulate telegram` and `gatehouse emulate dingtalk` (rate limits lifted), then
`gatehouse run` with the crash test's config (an internal group mirrored to two Telegram chats, a
Telegram chat to an internal group, the audit log signed) plus a health listener, and prints:
  * READY: the time from the process's start to `/readyz` answering 200;
  * idle: VmRSS six seconds after the start, and where it is (the /proc smaps of the process
    summed by mapping: the executable's pages, each library, the heap and other anonymous memory);
  * under load (with --rate N): messages posted at N a second both ways for --seconds (from
    eight threads), then VmRSS, VmHWM (the peak) and the CPU the daemon used meanwhile.

Measure a release build: `swift build -c release --product gatehouse` (or the Debian package's
binary, whose Swift runtime is linked in).

Usage: footprint.py --gatehouse PATH [--rate 1000] [--seconds 20] [--keep DIR]
Only 127.0.0.1 is used; every process it starts is stopped before it returns.
"""
import argparse
import collections
import http.client
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("crash_test", os.path.join(HERE, "..", "Tests", "Crash", "crash-test.py"))
crash = importlib.util.module_from_spec(spec)
spec.loader.exec_module(crash)
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "Tools"))
from emulators import free_port, ready  # noqa: E402


def status(pid):
    """VmRSS and VmHWM of a process, in kB."""
    values = {}
    with open(f"/proc/{pid}/status") as file:
        for line in file:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(value.split()[0])
    return values


def mappings(pid, executable):
    """Resident kB per kind of mapping: the executable, each library, the heap, anonymous."""
    totals = collections.Counter()
    current = None
    with open(f"/proc/{pid}/smaps") as file:
        for line in file:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
                path = fields[5] if len(fields) > 5 else ""
                if path == executable:
                    current = "the executable"
                elif path.startswith("/"):
                    current = os.path.basename(path)
                elif path:
                    current = path  # [heap], [stack], [vdso]…
                else:
                    current = "anonymous (malloc arenas, thread stacks, Swift metadata)"
            elif fields[0] == "Rss:" and current:
                totals[current] += int(fields[1])
    return totals


def cpu_seconds(pid):
    """User and system CPU time a process has used, in seconds."""
    with open(f"/proc/{pid}/stat") as file:
        fields = file.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Load:
    """Posts messages at `rate` a second on a fixed schedule, half each way (a DingTalk robot
    message to the mirrored group, a Telegram customer's message to the desk), from `threads`
    threads with a kept-alive connection each: one request at a time from one thread cannot reach
    1,000 a second."""

    def __init__(self, telegram, dingtalk, rate, seconds, threads=8):
        self.telegram, self.dingtalk = urllib.parse.urlsplit(telegram), urllib.parse.urlsplit(dingtalk)
        self.rate, self.total, self.threads = rate, int(rate * seconds), threads
        self.next = 0
        self.lock = threading.Lock()
        self.sent = 0
        self.failures = 0

    def post(self, connections, url, path, body):
        connection = connections.get(url.netloc)
        if connection is None:
            connection = connections[url.netloc] = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        try:
            connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            return response.status < 300
        except (OSError, http.client.HTTPException):
            connection.close()
            del connections[url.netloc]
            return False

    def worker(self, start):
        connections = {}
        while True:
            with self.lock:
                number = self.next
                self.next += 1
            if number >= self.total:
                return
            delay = start + number / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            text = f"load-{number:06d} 您好，我的订单还没有发货，请帮忙查一下。Order placed last Tuesday."
            if number % 2:
                done = self.post(connections, self.dingtalk, "/_emulator/messages", {
                    "conversationId": crash.ANNOUNCE_CHAT_IN, "conversationType": "2",
                    "senderStaffId": "staff1", "senderNick": "Wang", "text": text,
                })
            else:
                done = self.post(connections, self.telegram, "/_emulator/updates", {
                    "kind": "message", "chat": {"id": crash.SUPPORT_CHAT, "type": "supergroup", "title": "Support"},
                    "from": {"id": 42, "first_name": "Li"}, "text": text,
                })
            with self.lock:
                if done:
                    self.sent += 1
                else:
                    self.failures += 1

    def run(self):
        """Posts everything; returns the seconds it took."""
        start = time.monotonic()
        workers = [threading.Thread(target=self.worker, args=(start,), daemon=True) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gatehouse", required=True, help="the gatehouse executable to measure")
    parser.add_argument("--rate", type=float, default=0, help="messages a second under load (0: idle only)")
    parser.add_argument("--seconds", type=float, default=20, help="how long the load lasts")
    parser.add_argument("--keep", help="keep the state and logs in this directory")
    arguments = parser.parse_args()
    directory = arguments.keep or tempfile.mkdtemp(prefix="gatehouse-footprint-")
    os.makedirs(directory, exist_ok=True)
    gatehouse = os.path.realpath(arguments.gatehouse)
    logs = open(os.path.join(directory, "processes.log"), "a")
    subprocess.run([gatehouse, "audit", "keygen", "--name", crash.ORIGIN, "--out", f"{directory}/audit.key"],
                   capture_output=True, text=True, check=True)
    telegram = crash.Emulator(gatehouse, "telegram", ["--token", crash.TELEGRAM_TOKEN, "--no-rate-limits"], logs)
    dingtalk = crash.Emulator(gatehouse, "dingtalk", ["--client-id", crash.DINGTALK_ID, "--client-secret", crash.DINGTALK_SECRET,
                                                       "--no-rate-limits"], logs)
    daemon = None
    try:
        for name, chat in crash.NEWS_CHATS.items():
            crash.http("POST", f"{telegram.url}/_emulator/chats", {"id": chat, "type": "supergroup", "title": name})
        path = crash.config(directory, telegram.url, dingtalk.url)
        port = free_port()
        with open(path, "a") as file:
            file.write(f"listen:\n  http: 127.0.0.1:{port}\n")
        log = open(os.path.join(directory, "daemon.log"), "a")
        started = time.monotonic()
        daemon = subprocess.Popen([gatehouse, "run", "--config", path, "--log-level", "notice"], stdout=log, stderr=log)
        while not ready(port):
            if daemon.poll() is not None or time.monotonic() - started > 60:
                raise SystemExit(f"the daemon did not become ready (see {directory}/daemon.log)")
            time.sleep(0.01)
        print(f"READY after {time.monotonic() - started:.2f} s")
        time.sleep(max(0, 6 - (time.monotonic() - started)))
        idle = status(daemon.pid)
        print(f"idle, 6 s after the start: VmRSS {idle['VmRSS']:,} kB ({idle['VmRSS'] / 1024:.1f} MiB)")
        for name, kilobytes in mappings(daemon.pid, gatehouse).most_common(8):
            print(f"  {kilobytes:>8,} kB  {name}")
        if arguments.rate > 0:
            load = Load(telegram.url, dingtalk.url, arguments.rate, arguments.seconds)
            cpu_before = cpu_seconds(daemon.pid)
            took = load.run()
            cpu = cpu_seconds(daemon.pid) - cpu_before
            loaded = status(daemon.pid)
            print(f"under load, {load.sent} messages in {took:.1f} s ({load.sent / took:.0f}/s, asked {arguments.rate:.0f}/s; "
                  f"{load.failures} failed): VmRSS {loaded['VmRSS']:,} kB ({loaded['VmRSS'] / 1024:.1f} MiB), "
                  f"peak VmHWM {loaded['VmHWM']:,} kB ({loaded['VmHWM'] / 1024:.1f} MiB); "
                  f"the daemon's CPU {cpu:.1f} s ({100 * cpu / took:.0f}% of a core)")
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.terminate()
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
        telegram.stop()
        dingtalk.stop()


if __name__ == "__main__":
    sys.exit(main())
