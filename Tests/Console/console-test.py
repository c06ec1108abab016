#!/usr/bin/env python3
"""Console test: the web console in a real browser (headless Chromium through Selenium).

It runs `gatehouse demo --serve` (the gateway, both platform emulators and the console), posts an
embargoed announcement so that a message is held, and then, in the browser:
  * opens the console, is sent to sign in, signs in on the DingTalk emulator's authorize page as
    the compliance reviewer 周敏, and lands on the page it asked for;
  * sees the overview and the holds, opens the held message (its exact outgoing text) and
    approves it with a reason; the hold's history on the admin socket names the reviewer;
  * searches the audit log for the announcement's words, opens its crossing record, downloads
    its inclusion proof once a checkpoint covers it, and checks it offline (Tests/Tools/
    verify-tlog-proof.py: the leaf, its Merkle path, the checkpoint's root);
  * signs out; signs in as 王审计, an auditor (viewer), who sees a hold but no way to decide it;
  * on a phone's width (390 px), the overview, the holds and the audit log fit the screen.
A screenshot of each page is saved (--screenshots DIR). Only 127.0.0.1 is used; the daemon is
stopped before it returns.

Usage: console-test.py --gatehouse PATH [--screenshots DIR] [--chromedriver PATH]
"""

import argparse
import base64
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tools"))
from emulators import http  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ALL_HANDS = "cidAllHands000=="


class Demo:
    """`gatehouse demo --serve`: waits for its console's address, keeps reading what it prints."""

    def __init__(self, gatehouse, log):
        self.process = subprocess.Popen([gatehouse, "demo", "--serve", "--timeout", "60"], stdout=subprocess.PIPE,
                                        stderr=log, text=True)
        self.lines = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                self.stop()
                raise SystemExit("the demo ended before its console started:\n" + "".join(self.lines[-30:]))
            self.lines.append(line)
            if "/_emulator/cards/click" in line:
                break
        text = "".join(self.lines)
        console = re.search(r"Its console: (http://127\.0\.0\.1:\d+)", text)
        dingtalk = re.search(r"DingTalk (http://127\.0\.0\.1:\d+)/_emulator/messages", text)
        socket = re.search(r"Its admin socket: (\S+)", text)
        if not (console and dingtalk and socket):
            self.stop()
            raise SystemExit("the demo did not print its console, DingTalk emulator and admin socket:\n" + text[-3000:])
        self.console, self.dingtalk, self.socket = console.group(1), dingtalk.group(1), socket.group(1)
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def browser(chromedriver):
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--lang=zh-CN", "--no-proxy-server"]:
        options.add_argument(argument)
    for binary in ["/usr/bin/chromium", "/usr/bin/chromium-browser"]:
        if os.path.exists(binary):
            options.binary_location = binary
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gatehouse", required=True)
    parser.add_argument("--screenshots", help="save a PNG of each page here")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    arguments = parser.parse_args()
    shots = arguments.screenshots or tempfile.mkdtemp(prefix="gatehouse-console-")
    os.makedirs(shots, exist_ok=True)
    logs = open(os.path.join(shots, "demo.log"), "w")
    problems = []
    demo = Demo(os.path.abspath(arguments.gatehouse), logs)
    driver = None

    def check(condition, problem):
        if not condition:
            problems.append(problem)
        return condition

    def shot(name):
        driver.save_screenshot(os.path.join(shots, f"{name}.png"))

    def wait_for(css):
        return WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))

    def sign_in(userid):
        driver.get(demo.console + "/holds")
        wait_for("a.button[href^='/signin/start']")
        check(driver.current_url.startswith(demo.console + "/signin"), f"not sent to sign in: {driver.current_url}")
        shot("signin")
        driver.find_element(By.CSS_SELECTOR, "a.button[href^='/signin/start']").click()
        wait_for(f"button[name='userid'][value='{userid}']")
        check(driver.current_url.startswith(demo.dingtalk + "/oauth2/auth"), f"not at DingTalk's page: {driver.current_url}")
        shot("dingtalk-authorize")
        driver.find_element(By.CSS_SELECTOR, f"button[name='userid'][value='{userid}']").click()
        wait_for("h1")
        check(driver.current_url == demo.console + "/holds", f"signed in, but at {driver.current_url}, not the page asked for")

    try:
        # An embargoed announcement: held for the compliance reviewer.
        text = "机密: Q4 results on Friday — see https://acme.example/q4"
        http("POST", f"{demo.dingtalk}/_emulator/messages", {
            "conversationId": ALL_HANDS, "conversationType": "2", "senderStaffId": "manager4220", "senderNick": "王经理",
            "text": text,
        })
        driver = browser(arguments.chromedriver)
        sign_in("compliance01")
        check("周敏" in driver.find_element(By.CSS_SELECTOR, ".who").text, "the page does not name who signed in")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not driver.find_elements(By.CSS_SELECTOR, "table.holds a"):
            time.sleep(0.5)
            driver.refresh()
        shot("holds")
        links = [a for a in driver.find_elements(By.CSS_SELECTOR, "table.holds td.excerpt a") if "Q4 results" in a.text]
        if check(links, "the held announcement is not listed"):
            links[0].click()
            wait_for("pre.outgoing")
            check("Q4 results on Friday" in driver.find_element(By.CSS_SELECTOR, "pre.outgoing").text,
                  "the hold's page does not show the outgoing text")
            check("https://acme.example/q4" in driver.find_element(By.CSS_SELECTOR, "ul.links").text,
                  "the hold's page does not list the link it carries")
            shot("hold")
            driver.find_element(By.ID, "reason").send_keys("Checked with legal: cleared for Friday")
            driver.find_element(By.CSS_SELECTOR, "button.approve").click()
            wait_for("p.notice")
            check("Approved" in driver.find_element(By.CSS_SELECTOR, "p.notice").text,
                  f"approving did not say approved: {driver.find_element(By.CSS_SELECTOR, 'p.notice').text}")
            shot("hold-approved")
            history = subprocess.run([os.path.abspath(arguments.gatehouse), "holds", "history", "--socket", demo.socket],
                                     capture_output=True, text=True)
            check("Checked with legal" in history.stdout and "周敏" in history.stdout,
                  f"the hold's history does not show the console's decision: {history.stdout} {history.stderr}")
        # The audit log: the approved announcement found by its words, its record, its proof.
        driver.get(demo.console + "/audit")
        wait_for("form.search")
        driver.find_element(By.NAME, "text").send_keys("Q4 results")
        driver.find_element(By.CSS_SELECTOR, "form.search button[type='submit']").click()
        wait_for("h1")
        rows = driver.find_elements(By.CSS_SELECTOR, "table.records tbody tr")
        check(rows and all("Q4 results" in row.text for row in rows), "the search does not find the announcement by its words")
        shot("audit")
        crossings = [row for row in rows if " crossing " in f" {row.text} "]
        if check(crossings, "the search finds no crossing record of the announcement"):
            crossings[0].find_element(By.CSS_SELECTOR, "td a").click()
            wait_for("pre.leaf")
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline and not driver.find_elements(By.CSS_SELECTOR, "a[href$='/proof']"):
                time.sleep(1)
                driver.refresh()
            shot("record")
            links = driver.find_elements(By.CSS_SELECTOR, "a[href$='/proof']")
            if check(links, "no checkpoint came to cover the record: no proof to download"):
                proof = driver.execute_async_script(
                    "const done = arguments[arguments.length - 1];"
                    "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done, e => done('failed: ' + e));",
                    links[0].get_attribute("href"))
                path = os.path.join(shots, "record.tlog-proof")
                with open(path, "w") as file:
                    file.write(proof)
                verifier = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tools", "verify-tlog-proof.py")
                verified = subprocess.run([sys.executable, verifier, path], capture_output=True, text=True)
                check(verified.returncode == 0, f"the downloaded proof does not verify: {verified.stdout} {verified.stderr}")

        driver.get(demo.console + "/")
        wait_for(".tiles")
        shot("overview")
        driver.get(demo.console + "/outbox")
        wait_for("h1")
        check("Dead letters" in driver.page_source, "the outbox page does not open")
        shot("outbox")
        driver.get(demo.console + "/config")
        wait_for("h1")
        check("(in force)" in driver.page_source, "the config page does not mark the revision in force")
        shot("config")
        # The period report: today's, with the approval above in it; its PDF reads back (pypdf).
        today = time.strftime("%Y-%m-%d", time.gmtime())
        driver.get(f"{demo.console}/reports?from={today}&to={today}")
        wait_for("h1")
        check("approved" in driver.page_source and "announcements" in driver.page_source,
              "the period report does not list today's approval")
        shot("reports")
        encoded = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.arrayBuffer())"
            ".then(b => done(btoa(String.fromCharCode(...new Uint8Array(b)))), e => done('failed: ' + e));",
            f"{demo.console}/reports/pdf?from={today}&to={today}")
        path = os.path.join(shots, "report.pdf")
        with open(path, "wb") as file:
            file.write(base64.b64decode(encoded))
        try:
            import pypdf
            text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
            check(f"Gatehouse period report: {today}" in text and "approved" in text,
                  f"the report's PDF does not read back: {text[:300]!r}")
        except ImportError:
            print("  (pypdf is not installed: the PDF was saved, not read back)")
        driver.find_element(By.CSS_SELECTOR, ".signout button").click()
        wait_for("a.button[href^='/signin/start']")
        driver.get(demo.console + "/")
        check("/signin" in driver.current_url, "signed out, but the overview still opens")

        # An auditor looks and cannot decide.
        http("POST", f"{demo.dingtalk}/_emulator/messages", {
            "conversationId": ALL_HANDS, "conversationType": "2", "senderStaffId": "manager4220", "senderNick": "王经理",
            "text": "保密: the merger closes Monday",
        })
        sign_in("auditor01")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not driver.find_elements(By.CSS_SELECTOR, "table.holds td.excerpt a"):
            time.sleep(0.5)
            driver.refresh()
        links = driver.find_elements(By.CSS_SELECTOR, "table.holds td.excerpt a")
        if check(links, "the auditor sees no hold"):
            links[0].click()
            wait_for("pre.outgoing")
            check(not driver.find_elements(By.CSS_SELECTOR, "form.decide"), "a viewer is offered the decision form")
            shot("hold-viewer")
            # On a phone: the page fits the screen's width (wide tables scroll within themselves).
            driver.set_window_size(390, 844)
            for path in ["/", "/holds", "/audit"]:
                driver.get(demo.console + path)
                wait_for("h1")
                overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
                check(overflow <= 1, f"{path} is {overflow} px wider than a phone's screen")
            shot("phone-audit")
    finally:
        if driver is not None:
            driver.quit()
        demo.stop()
        logs.close()

    if problems:
        print(f"console test FAILED (screenshots and the demo's log in {shots}):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"console test passed; screenshots in {shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
