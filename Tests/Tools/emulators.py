"""What the Python drivers of the emulators share (Tests/Crash, Tests/Clients): the control API's
JSON over HTTP, and `gatehouse emulate …` in a process of its own."""

import json
import re
import signal
import subprocess
import threading
import urllib.request


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
