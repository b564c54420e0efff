# Shared by the benchmark scripts: sourced, not run.
# Sets up a work directory and kills what the benchmark started (by pid) on exit.

bench_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hupwatch="$bench_repo/scripts/hupwatch"
work=$(mktemp -d /tmp/hupwatch-bench.XXXXXX)
pids=()
bench_cleanup() {
  # TERM first, so hupwatch stops its generations; KILL what is left after 10 s.
  local p n
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for n in $(seq 1 100); do
    local alive=0
    for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap bench_cleanup EXIT

# bench_install PACKAGE... : apt-get install what is missing (command:package pairs).
bench_install() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_for LOGFILE REGEX SECONDS
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -qE "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for /$2/ in $1:" >&2; tail -5 "$1" >&2; return 1; }
    sleep 0.05
  done
}

cat > "$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, latency.max))
end
LUA

# wrk_load URL SECONDS [close|keepalive] -> "requests failed worst_us" (16 connections, 10 s timeout;
# close (default): every request sends "Connection: close"; keepalive: wrk's default keep-alive)
wrk_load() {
  local hdr=(-H 'Connection: close')
  [ "${3:-close}" = keepalive ] && hdr=()
  wrk -t2 -c16 -d"$2s" --timeout 10s "${hdr[@]}" -s "$work/report.lua" "$1" | awk '/^WRK/ {print $2, $3, $4}'
}

# bench_busy -> pids of surefire/maven processes that are not ours (another test suite running).
bench_busy() {
  local p q
  for p in $(pgrep -f 'surefire|maven' || true); do
    q=$p
    while [ "$q" -gt 1 ] && [ "$q" != $$ ]; do q=$(awk '{print $4}' "/proc/$q/stat" 2>/dev/null || echo 1); done
    [ "$q" = $$ ] || echo "$p"
  done
}

# wait_quiet: before a measurement, wait until no surefire/maven process has run for
# BENCH_QUIET_SECONDS (10); after BENCH_QUIET_MAX seconds (1800) measure anyway, with a warning.
wait_quiet() {
  local need=${BENCH_QUIET_SECONDS:-10} max=${BENCH_QUIET_MAX:-1800} start=$SECONDS quiet_since=$SECONDS said=0
  while [ $((SECONDS - quiet_since)) -lt "$need" ]; do
    if [ -n "$(bench_busy)" ]; then
      quiet_since=$SECONDS
      [ $said = 1 ] || { echo "waiting for the machine to be quiet (surefire/maven running)..." >&2; said=1; }
      [ $((SECONDS - start)) -lt "$max" ] || { echo "warning: still busy after ${max}s; measuring anyway" >&2; return 0; }
    fi
    sleep 1
  done
  [ $said = 0 ] || echo "quiet after $((SECONDS - start)) s" >&2
}
