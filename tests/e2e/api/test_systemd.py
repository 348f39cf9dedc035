"""skiff under systemd without a systemd PID 1: the unit file verified by systemd-analyze, and
`skiff server` run under a NOTIFY_SOCKET this test listens on (STATUS= progress, READY=1 once
the API answers, WATCHDOG=1 pings at half of WATCHDOG_USEC, STOPPING=1 on SIGTERM), and its
log lines carrying syslog priorities when its stderr is the journal's."""

import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import wait_for

UNIT = Path(__file__).resolve().parents[3] / "systemd" / "skiff.service"


def test_the_unit_file_verifies(tmp_path):
    # ExecStart names the installed binary; verify the unit with this build's instead.
    text = UNIT.read_text()
    assert "Type=notify" in text and "WatchdogSec=" in text and "KillMode=process" in text
    unit = tmp_path / "skiff.service"
    unit.write_text(text.replace("/usr/local/bin/skiff", os.environ["SKIFF_BINARY"]))
    r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert r.returncode == 0 and "skiff.service" not in r.stderr, r.stderr


class NotifySocket:
    """A datagram socket standing in for systemd's notification socket."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="skiff-notify-")
        self.path = os.path.join(self.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.1)
        self.messages = []  # (monotonic time, text)

    def drain(self):
        while True:
            try:
                self.messages.append((time.monotonic(), self.sock.recv(4096).decode()))
            except socket.timeout:
                return self.messages

    def seen(self, text):
        return [t for t, m in self.drain() if text in m.splitlines()]

    def close(self):
        self.sock.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


def test_ready_status_watchdog_and_stopping(make_server):
    notify = NotifySocket()
    srv = make_server()
    srv.env = dict(os.environ, NOTIFY_SOCKET=notify.path, WATCHDOG_USEC="400000")
    try:
        srv.start()
        ready = wait_for(lambda: notify.seen("READY=1"), timeout=30, what="READY=1")
        statuses = [m for _, m in notify.messages if m.startswith("STATUS=")]
        assert any("opening the store" in s for s in statuses), statuses
        assert any("starting the API server" in s for s in statuses), statuses
        ready_message = next(m for _, m in notify.messages if "READY=1" in m)
        assert f"STATUS=running: API on 127.0.0.1:{srv.port}" in ready_message
        # The API answers by the time READY=1 is sent.
        assert srv.get("/readyz").status == 200
        # Pings every 200 ms (half of WATCHDOG_USEC) once ready.
        time.sleep(1.2)
        pings = [t for t in notify.seen("WATCHDOG=1") if t >= ready[0]]
        assert 4 <= len(pings) <= 9, pings
        srv.stop(signal.SIGTERM)
        assert notify.seen("STOPPING=1")
    finally:
        notify.close()


def test_log_lines_carry_priorities_under_the_journal(make_server):
    srv = make_server()
    # systemd sets JOURNAL_STREAM when stderr is the journal: lines start with "<priority>"
    # and leave the time to the journal.
    srv.env = dict(os.environ, JOURNAL_STREAM="8:12345")
    srv.start()
    lines = srv.log_path.read_text().splitlines()
    assert any(line.startswith("<6>server: running") for line in lines), lines[-5:]
    assert not [line for line in lines if line and not line.startswith("<")], lines[:5]
