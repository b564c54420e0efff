# What the two launchers share: scripts/hupwatch (from a checkout) and bin/hupwatch (the release
# archive and the Debian package, which ship this file as lib/launch.sh). Sourced, not run.
# Forks nothing on the usual path (archive already made).
#
#   hupwatch_find_java              sets java: $JAVA_HOME/bin/java, else the first java on PATH
#   hupwatch_prepare DIR JAR LOCK [FILE...]
#                                   sets flags: the JVM options, with the class-data archive and
#                                   jnr's native stub from DIR, made there first (under flock LOCK)
#                                   when missing, when JAR or a FILE is newer, or for another JVM
#   hupwatch_exec JAR ARG...        execs the JVM with flags, then HUPWATCH_JAVA_OPTS

# The JVM: $JAVA_HOME/bin/java, else the first java on PATH (looked up without forking).
hupwatch_find_java() {
  java=
  if [ -n "${JAVA_HOME:-}" ]; then
    java=$JAVA_HOME/bin/java
  else
    local d path_dirs
    IFS=: read -r -a path_dirs <<<"$PATH"
    for d in "${path_dirs[@]}"; do
      [ -x "${d:-.}/java" ] && { java=${d:-.}/java; break; }
    done
  fi
  [ -n "$java" ] || { echo "hupwatch: no java found (JDK 17 or later): put it on PATH or set JAVA_HOME" >&2; exit 1; }
}

# A small, long-lived process: serial GC, C1 only, small heap (a 2 MB young generation: a few
# short pauses at start-up, and less memory touched for good), small stacks, no perf-data file,
# jnr-ffi without runtime bytecode generation (it binds the few libc calls more cheaply that way), and
# native access allowed (jffi loads its stub: JDK 24+ would print four "restricted method" warnings).
hupwatch_base_flags=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1
  -Xss256k -Xms8m -Xmn2m -Xmx32m -XX:ReservedCodeCacheSize=16m -XX:-UsePerfData
  -Djnr.ffi.asm.enabled=false)

# Whether the archive in $1 must be (re)made: its key is older than a file, or names another JVM.
hupwatch_stale() {
  local key=$1/hupwatch.jsa.key made_for= f
  shift
  [ -f "$key" ] && read -r made_for <"$key"
  for f in "$@"; do
    [ "$key" -nt "$f" ] || return 0
  done
  [ ! "$java" -ef "$made_for" ]
}

# Made once per build and JVM, under the lock:
# - a static class-data archive of the classes hupwatch loads (class lists from training runs that
#   bind sockets and start a child, then -Xshare:dump). It more than halves start-up, and unlike a
#   dynamic archive it also holds picocli, whose class files are Java 5's;
# - jnr's native stub, unpacked, so that each start loads it instead of copying it out of the jar.
# A JVM that cannot use the archive ignores it. HUPWATCH_CDS=0 turns both off.
hupwatch_prepare() {
  local dir=$1 jar=$2 lock=$3
  shift 3
  local jsa="$dir/hupwatch.jsa" native="$dir/native"
  flags=("${hupwatch_base_flags[@]}")
  if [ "${HUPWATCH_CDS:-1}" = 1 ] && hupwatch_stale "$dir" "$jar" "$@" && { exec 9>"$lock"; } 2>/dev/null; then
    flock 9
    if hupwatch_stale "$dir" "$jar" "$@"; then
      rm -rf "$jsa" "$jsa.key" "$jsa.classes" "$native"
      mkdir -p "$native"
      (cd "$native" && "${java%/*}/jar" xf "$jar" "jni/$(uname -m)-Linux/libjffi-1.2.so" \
        && mv jni/*/libjffi-1.2.so . && rm -r jni) >/dev/null 2>&1 || rm -rf "$native"
      local train=("${flags[@]}") scratch
      [ -d "$native" ] && train+=(-Djffi.boot.library.path="$native")
      # Training runs with each pass mode and socket kind. Every archived class is resident memory in
      # every hupwatch, used or not, so the optional extras (--control, --ready log:/exec:/notify) are
      # left out: with them, hupwatch loads a few dozen classes from the jar instead.
      scratch=$(mktemp -d)
      hupwatch_train_run() {
        "$java" "${train[@]}" -XX:DumpLoadedClassList="$scratch/classes.$1" -jar "$jar" "${@:2}" </dev/null >/dev/null 2>&1 || true
      }
      hupwatch_train_run 1 --bind tcp:127.0.0.1:0 --bind unix:"$scratch/a.sock" --pidfile "$scratch/p.pid" --warmup 0 -- sleep 0.1
      hupwatch_train_run 2 --bind tcp:127.0.0.1:0 --pass systemd --warmup 0 -- sleep 0.1
      hupwatch_train_run 3 --bind unix:"$scratch/b.sock" --pass stdin --warmup 0 -- sleep 0.1
      # Merged by class: each list numbers its classes ("NAME id: N"), and JDK 25 refuses an id
      # given twice. Classes of other loaders (listed by super: id) do not occur with -jar.
      cat "$scratch"/classes.* 2>/dev/null | awk '/ super: / { next } { sub(/ id: [0-9]+$/, "") } !seen[$0]++' >"$jsa.classes"
      rm -rf "$scratch"
      # Recorded even if a step failed, so that a failure costs one try, not one per start.
      if [ -s "$jsa.classes" ]; then
        "$java" "${train[@]}" -Xshare:dump -XX:SharedClassListFile="$jsa.classes" -XX:SharedArchiveFile="$jsa" \
          -jar "$jar" </dev/null >/dev/null 2>&1 || rm -f "$jsa"
      fi
      readlink -f "$java" >"$jsa.key" 2>/dev/null || true
    fi
    exec 9>&-
  fi
  [ -d "$native" ] && flags+=(-Djffi.boot.library.path="$native")
  if [ "${HUPWATCH_CDS:-1}" = 1 ] && [ -f "$jsa" ]; then
    flags+=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off)
  fi
  return 0
}

hupwatch_exec() {
  local jar=$1
  shift
  # shellcheck disable=SC2086 # HUPWATCH_JAVA_OPTS is a list of options
  exec "$java" "${flags[@]}" ${HUPWATCH_JAVA_OPTS:-} -jar "$jar" "$@"
}
