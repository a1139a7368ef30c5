#!/usr/bin/env bash
# `make run`: the web app and one background worker together; Ctrl-C (or either stopping) stops both.
set -euo pipefail
BIN=${BIN:-.venv/bin}

"$BIN/peermatch" worker &
worker=$!
"$BIN/peermatch" run --host 127.0.0.1 --port "${PORT:-5000}" &
web=$!

stop() {
  trap - INT TERM EXIT
  # Background jobs of a script ignore SIGINT, so each is told directly: the web server to stop,
  # the worker to finish what it is doing first.
  kill -TERM "$web" 2>/dev/null || true
  kill -INT "$worker" 2>/dev/null || true
  wait "$web" "$worker" 2>/dev/null || true
}
trap stop INT TERM EXIT
wait -n "$web" "$worker"  # one of them stopped (Ctrl-C, or a crash): stop the other too
