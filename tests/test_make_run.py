"""``make run`` serves the app with its background worker, and Ctrl-C stops both (scripts/run_dev.sh)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_the_web_app_and_its_worker_start_together_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PEERMATCH_INSTANCE_PATH": str(tmp_path), "PEERMATCH_DATABASE_URL": "",
           "BIN": str(Path(sys.executable).parent), "PORT": str(port)}
    env.pop("PEERMATCH_REDIS_URL", None)
    subprocess.run([str(Path(sys.executable).parent / "peermatch"), "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    log = tmp_path / "run.log"
    with log.open("wb") as output:
        # A new session, as a terminal gives `make run`: Ctrl-C reaches its whole process group.
        script = subprocess.Popen([str(ROOT / "scripts" / "run_dev.sh")], cwd=ROOT, env=env, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        while "deliver_due_every_minute" not in log.read_text():  # the worker's scheduler has run
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        children = subprocess.run(["pgrep", "-g", str(script.pid), "-f", "peermatch"], capture_output=True,
                                  text=True).stdout.split()
        assert len(children) == 2, log.read_text()
        os.killpg(script.pid, signal.SIGINT)  # Ctrl-C in the terminal
        script.wait(timeout=30)
        time.sleep(0.5)
        left = subprocess.run(["pgrep", "-g", str(script.pid)], capture_output=True, text=True).stdout.split()
        assert left == [], log.read_text()
        assert "Shutting down gracefully" in log.read_text()
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
