#!/usr/bin/env python3
"""How long a review card's click takes to be decided and answered, end to end.

Starts `gatehouse demo --serve`, posts N embargoed announcements (each held for review), waits
for their cards, and clicks Approve on each as the demo's reviewer, one after another: the time
of each click covers the emulator's Stream push, the adapter, the directory lookup, the vote
committed in the ledger, the ACK and the card's update. DingTalk allows two seconds.

    python3 Tests/Tools/review-clicks.py "$(swift build -c release --show-bin-path)/gatehouse" 200
"""
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.request

binary = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
p = subprocess.Popen([binary, "demo", "--serve"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
dingtalk = None
for line in p.stdout:
    m = re.search(r"DingTalk (http://127\.0\.0\.1:\d+)/_emulator/messages", line)
    if m:
        dingtalk = m.group(1); break
def http(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")
try:
    before = {c["outTrackId"] for c in http("GET", f"{dingtalk}/_emulator/cards")}
    for i in range(n):
        http("POST", f"{dingtalk}/_emulator/messages", {"conversationId": "cidAllHands000==", "conversationType": "2",
             "senderStaffId": "manager0042", "senderNick": "王经理", "text": f"机密 item {i}"})
    deadline = time.time() + 60
    while time.time() < deadline:
        cards = [c for c in http("GET", f"{dingtalk}/_emulator/cards") if c["outTrackId"] not in before]
        if len(cards) >= n: break
        time.sleep(0.2)
    times = []
    for card in cards[:n]:
        start = time.perf_counter()
        r = http("POST", f"{dingtalk}/_emulator/cards/click", {"outTrackId": card["outTrackId"], "userId": "compliance01", "params": {"action": "approve"}})
        times.append((time.perf_counter() - start) * 1000)
        assert r["answered"] and r["card"]["cardData"]["decided"] == "true", r
    times.sort()
    print(f"{len(times)} clicks answered (decision committed, card updated): p50 {statistics.median(times):.1f} ms, p99 {times[int(len(times)*0.99)-1]:.1f} ms, max {times[-1]:.1f} ms")
finally:
    p.terminate(); p.wait(timeout=30)
