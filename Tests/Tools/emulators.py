"""What the Python drivers of the emulators share (Tests/Crash, Tests/Failover, Tests/Clients,
Benchmarks/footprint.py): the control API's JSON over HTTP, `gatehouse emulate …` in a process of
its own, a free port, and whether a daemon says it is ready."""

import json
import re
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ready(port):
    """Whether the daemon listening for health on `port` answers /readyz with 200."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def http(method, url, body=None, timeout=10):
    """A control-API call: JSON in (a list posts several at once), JSON out."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


class Emulator:
    """`gatehouse emulate PLATFORM --port 0 …` in its own process; its first line names the port,
    what it prints after (its control endpoints) is read and dropped, its log goes to `log`."""

    def __init__(self, gatehouse, platform, extra, log=None):
        self.process = subprocess.Popen(
            [gatehouse, "emulate", platform, "--port", "0", "--log-level", "warning"] + extra,
            stdout=subprocess.PIPE, stderr=log, text=True,
        )
        line = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.stop()
            raise SystemExit(f"{platform} emulator did not start: {line!r}")
        self.url = f"http://127.0.0.1:{match.group(1)}"
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
