# Sourced by scripts/bench-reload (--rows unmodified or all): unmodified JVM servers under wrk
# while hupwatch swaps them N times. Connection: close on every request; with --keepalive each setup
# is also measured with wrk's default keep-alive (its row next to the close one).
#   - "agent": hupwatch --bind tcp:127.0.0.1:PORT, Java agent by default (--jvm-agent auto), readiness
#     auto: the server's own bind of PORT serves hupwatch's socket;
#   - "baseline": hupwatch --jvm-agent off, no --bind, a warm-up long enough for a start: what happens
#     today. The new JVM cannot bind the port the old one holds, so the reload fails;
#   - "adopt" (--setups ...,adopt): the literal form, no hupwatch option at all (hupwatch -- java ...):
#     hupwatch adopts the socket generation 1 opens; the load starts after the log's
#     "adopted tcp:ADDR:PORT from generation 1 (pid N)".
# Each HUP waits for its outcome in hupwatch's log ("generation N (pid P) ready" or "reload failed"),
# then the load runs on for --interval seconds before the next one; wrk runs until the last swap has
# drained and is then stopped with SIGINT (it still reports).
# Needs from bench-reload: repo, work, hupwatch, pids, interval, reloads, wait_quiet, bench_busy, free_port,
# and setups_opt (agent,baseline[,adopt]) and keepalive (0|1).

ts_cp="$repo/test-servers/target/classes:$(cat "$repo/test-servers/target/classpath.txt" 2>/dev/null || true)"
spring_jar="$repo/test-servers-spring-boot/target/spring-boot-app-exec.jar"
server_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
unmodified_rows=()

cat >"$work/report-split.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, latency.max))
end
LUA

# unmodified_cmd SERVER PORT -> the server's command line in the array "cmd"
unmodified_cmd() {
  case "$1" in
    spring) cmd=("$server_java" -jar "$spring_jar" "--server.port=$2") ;;
    jdk) cmd=("$server_java" -cp "$ts_cp" io.hupwatch.testservers.JdkHttpServer "$2") ;;
    jetty) cmd=("$server_java" -cp "$ts_cp" io.hupwatch.testservers.JettyPlainServer "$2") ;;
    undertow) cmd=("$server_java" -cp "$ts_cp" io.hupwatch.testservers.UndertowServer "$2") ;;
    netty-nio) cmd=("$server_java" -cp "$ts_cp" io.hupwatch.testservers.NettyPlainServer "$2" nio) ;;
    netty-epoll) cmd=("$server_java" -cp "$ts_cp" io.hupwatch.testservers.NettyPlainServer "$2" epoll) ;;
    netty-kah) cmd=("$server_java" -cp "$ts_cp" io.hupwatch.testservers.NettyPlainServer "$2" nio keepalive-handler) ;;
    netty42-nio|netty42-epoll)
      cmd=("$server_java" -cp "$repo/test-servers/target/classes:$repo/test-servers/target/netty-4.2/*"
        io.hupwatch.testservers.NettyPlainServer "$2" "${1#netty42-}") ;;
    *) echo "unknown server '$1' (spring, jdk, jetty, undertow, netty-nio, netty-epoll, netty-kah, netty42-nio, netty42-epoll)" >&2; return 2 ;;
  esac
}

# A start that fails on the taken port must fail within the baseline's warm-up, or hupwatch would
# take a dying generation for ready: generous, and paid once (a failed start ends the wait early).
baseline_warmup() {
  if [ -n "${baseline_warmup_opt:-}" ]; then echo "$baseline_warmup_opt"; return; fi
  case "$1" in spring) echo 30s ;; netty*|undertow|jetty) echo 6s ;; *) echo 4s ;; esac
}

# outcomes LOG -> generations ready + reloads failed so far
outcomes() { grep -cE "generation [0-9]+ \(pid [0-9]+\) ready|reload failed" "$1" || true; }

# unmodified_measure SERVER agent|baseline|adopt [close|keepalive]
unmodified_measure() {
  local server=$1 mode=$2 conn=${3:-close} p log cmd=() hdr=(-H 'Connection: close')
  [ "$conn" = keepalive ] && hdr=()
  p=$(free_port)
  log="$work/unmod.$server.$mode.$conn.log"
  unmodified_cmd "$server" "$p"
  wait_quiet
  echo "measuring $server ($mode, $conn, $reloads swaps; load average $(cut -d' ' -f1 /proc/loadavg))..." >&2
  case "$mode" in
    agent) "$hupwatch" --bind "tcp:127.0.0.1:$p" -- "${cmd[@]}" >"$log" 2>&1 & ;;
    baseline) "$hupwatch" --jvm-agent off --warmup "$(baseline_warmup "$server")" -- "${cmd[@]}" >"$log" 2>&1 & ;;
    adopt) "$hupwatch" -- "${cmd[@]}" >"$log" 2>&1 & ;;
  esac
  local hw=$!; pids+=("$hw")
  local never=""
  wait_for "$log" "generation 1 \(pid [0-9]+\) ready" 180 || never="generation 1 never ready"
  if [ -z "$never" ] && [ "$mode" = adopt ]; then
    wait_for "$log" "adopted tcp:[^ ]*:$p from generation 1 \(pid [0-9]+\)" 60 || never="no 'adopted tcp:...:$p from generation 1' line"
  fi
  if [ -n "$never" ]; then
    local kept="/tmp/hupwatch-bench.$server.$mode.$conn.$$.log"
    cp "$log" "$kept" 2>/dev/null || true
    unmodified_rows+=("$(printf '%-12s %-9s %-9s %s' "$server" "$mode" "$conn" "$never (log: $kept)")")
    kill -TERM "$hw"; wait "$hw" 2>/dev/null || true; return 0
  fi
  local t0=$SECONDS wrk_out="$work/wrk.$server.$mode.$conn"
  wrk -t2 -c16 -d3600s --timeout 10s "${hdr[@]}" -s "$work/report-split.lua" "http://127.0.0.1:$p/" >"$wrk_out" 2>&1 &
  local loader=$!; pids+=("$loader")
  sleep "$interval"
  local i want odd=""
  for i in $(seq 1 "$reloads"); do
    want=$(( $(outcomes "$log") + 1 ))
    kill -HUP "$hw"
    local deadline=$((SECONDS + 180))
    until [ "$(outcomes "$log")" -ge "$want" ]; do
      kill -0 "$hw" 2>/dev/null || { odd="hupwatch exited"; break 2; }
      [ $SECONDS -lt $deadline ] || { odd="swap $i: no outcome in 180 s"; break 2; }
      sleep 0.05
    done
    # The generation just replaced drains; the next HUP waits until it has exited (agent rows).
    if [ "$mode" != baseline ]; then
      wait_for "$log" "generation $i \(pid [0-9]+\) exited" 60 || odd="generation $i did not exit"
    fi
    sleep "$interval"
  done
  kill -INT "$loader" 2>/dev/null || true
  wait "$loader" 2>/dev/null || true
  local seconds=$((SECONDS - t0))
  [ -n "$(bench_busy)" ] && odd="${odd:+$odd; }a surefire/maven process was running at the end of the run"
  local ready=0 failed_reloads g dead=""
  # A swap counts when the new generation got ready AND its server said "listening on": a JVM whose
  # bind failed may stay up (Netty's event loop threads) and pass the warm-up without serving.
  for g in $(grep -oE "generation [0-9]+ \(pid [0-9]+\) ready" "$log" | awk '{print $2}'); do
    if grep -qE "generation $g pid [0-9]+ listening on" "$log"; then ready=$((ready + 1)); else dead="$dead $g"; fi
  done
  [ -n "$dead" ] && odd="${odd:+$odd; }generation(s)$dead got ready (warm-up) but never listened"
  failed_reloads=$(grep -c "reload failed" "$log" || true)
  kill -TERM "$hw" 2>/dev/null || true
  wait "$hw" 2>/dev/null || true
  local req sockerr non2xx worst
  read -r req sockerr non2xx worst <<<"$(awk '/^WRK/ {print $2, $3, $4, $5}' "$wrk_out")"
  [ -n "${req:-}" ] || { req=0; sockerr=0; non2xx=0; worst=0; odd="${odd:+$odd; }no wrk report"; }
  # generations' start: median "ready after" of every generation that got ready, in ms
  local start_ms
  start_ms=$(grep -oE "ready after [0-9.]+(ms|s)" "$log" | awk '{v=$3; if (v ~ /ms$/) {sub(/ms/,"",v)} else {sub(/s/,"",v); v*=1000} print int(v)}' \
    | sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}')
  # the old generations' drain: median "after X of draining" (HUP to exit) of the generations swapped out
  local drain_ms
  drain_ms=$(grep -oE "after [0-9.]+(ms|s|m) of draining" "$log" | awk '{v=$2; if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /m$/) {sub(/m/,"",v); v*=60000} else {sub(/s/,"",v); v*=1000} print int(v)}' \
    | sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}')
  local failed=$((sockerr + non2xx))
  local pct
  pct=$(awk -v f="$failed" -v r="$req" 'BEGIN {printf "%.2f", (r > 0 ? 100*f/r : 0)}')
  unmodified_rows+=("$(printf '%-12s %-9s %-9s %6s %7s %9s %7s %7s %7s%% %9s %7s %9s %9s %5s' "$server" "$mode" "$conn" \
    "$((ready - 1))/$reloads" "$failed_reloads" "$req" "$sockerr" "$non2xx" "$pct" "$((worst / 1000)) ms" \
    "$((seconds > 0 ? req / seconds : 0))" "$start_ms ms" "$drain_ms ms" "$(cut -d' ' -f1 /proc/loadavg)")")
  echo "  ${unmodified_rows[-1]}" >&2
  if [ -n "$odd" ]; then
    local kept="/tmp/hupwatch-bench.$server.$mode.$conn.$$.log"
    cp "$log" "$kept" 2>/dev/null || true
    unmodified_rows+=("    ^ note: $odd (hupwatch's log: $kept)")
  fi
  return 0
}

# unmodified_all SERVERS (comma-separated)
unmodified_all() {
  [ -d "$repo/test-servers/target/classes" ] && [ -f "$spring_jar" ] && [ -f "$repo/hupwatch-cli/target/hupwatch-agent.jar" ] || {
    echo "test servers or agent not built: cd $repo && mvn -B -ntp -q install -DskipTests" >&2; exit 1; }
  local s m c conns=(close)
  [ "${keepalive:-0}" = 1 ] && conns+=(keepalive)
  [ "${keepalive:-0}" = only ] && conns=(keepalive)
  IFS=, read -r -a servers <<<"$1"
  IFS=, read -r -a setups <<<"${setups_opt:-agent,baseline}"
  for s in "${servers[@]}"; do
    for m in "${setups[@]}"; do
      for c in "${conns[@]}"; do unmodified_measure "$s" "$m" "$c"; done
    done
  done
}

unmodified_table() {
  printf '\nUnmodified JVM servers (%s): hupwatch --bind tcp:127.0.0.1:PORT with the Java agent, against\n' "$("$server_java" -version 2>&1 | head -1)"
  printf 'the baseline --jvm-agent off without --bind (each JVM binds PORT itself); adopt: hupwatch -- java ...\n'
  printf '(no option: the socket generation 1 opens is adopted). wrk -c16; conn close: every request sends\n'
  printf '"Connection: close"; keep-alive: wrk default (failed = socket errors + non-2xx). load: 1-min load\n'
  printf 'average at the end of the row. old drain: TERM to the old generation'"'"'s exit (median of the swaps).\n'
  printf '%-12s %-9s %-9s %6s %7s %9s %7s %7s %8s %9s %7s %9s %9s %5s\n' "server" "setup" "conn" "swaps" "reload" "requests" "socket" "non-2xx" "failed" "worst" "req/s" "gen ready" "old drain" "load"
  printf '%-12s %-9s %-9s %6s %7s %9s %7s %7s %8s %9s %7s %9s %9s %5s\n' "" "" "" "done/N" "failed" "" "errors" "" "" "latency" "" "(median)" "(median)" ""
  printf '%s\n' "${unmodified_rows[@]}"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
}
