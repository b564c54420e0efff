package io.hupwatch.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a real load tool in back-to-back batches until stopped, so the load covers every reload
 * however fast the machine is, and adds up what the batches report. Every request sends
 * {@code Connection: close}, so each one goes through the accept queue of the shared socket.
 */
final class LoadGenerator implements AutoCloseable {

    /** Requests sent, requests failed in any way (connect, read, write, timeout, non-2xx), worst latency. */
    record Result(long requests, long failed, long maxLatencyMicros, List<String> failures) {
        @Override
        public String toString() {
            return requests + " requests, " + failed + " failed, worst latency " + maxLatencyMicros / 1000 + " ms"
                    + (failures.isEmpty() ? "" : "; " + failures);
        }
    }

    private final List<String> command;
    private final Pattern summary;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile Process current;
    /** When {@link #current} started (System.nanoTime). */
    private volatile long currentSince;
    /** Past its first moments after exec, when SIGINT would still end wrk without a summary. */
    private static final long INTERRUPTIBLE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private long requests;
    private long failed;
    private long maxLatency;
    private final List<String> failures = new ArrayList<>();

    private LoadGenerator(List<String> command, Pattern summary) {
        this.command = command;
        this.summary = summary;
        this.thread = new Thread(this::loop, "load");
        thread.setDaemon(true);
    }

    /** wrk against a TCP URL: batches of {@code seconds}, {@code connections} connections on 2 threads. */
    static LoadGenerator wrk(String url, int connections, int seconds, Path workDir) {
        return wrk(url, connections, seconds, workDir, false);
    }

    /** wrk whose connections stay open from one request to the next (keep-alive), as proxies' pools do. */
    static LoadGenerator wrkKeepAlive(String url, int connections, int seconds, Path workDir) {
        return wrk(url, connections, seconds, workDir, true);
    }

    private static LoadGenerator wrk(String url, int connections, int seconds, Path workDir, boolean keepAlive) {
        Path script = workDir.resolve("report.lua");
        try {
            Files.writeString(script, """
                    done = function(summary, latency, requests)
                      local e = summary.errors
                      io.write(string.format("WRK requests=%d connect=%d read=%d write=%d status=%d timeout=%d max=%d\\n",
                        summary.requests, e.connect, e.read, e.write, e.status, e.timeout, latency.max))
                    end
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new java.util.ArrayList<>(List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s",
                "--timeout", "10s", "-s", script.toString(), url));
        if (!keepAlive) {
            command.addAll(1, List.of("-H", "Connection: close"));
        }
        return new LoadGenerator(command,
                Pattern.compile("WRK requests=(\\d+) connect=(\\d+) read=(\\d+) write=(\\d+) status=(\\d+)"
                        + " timeout=(\\d+) max=(\\d+)"));
    }

    /** h2load (HTTP/1.1) against a unix socket: batches of {@code requests} on {@code connections} connections. */
    static LoadGenerator h2loadUnix(Path socket, int connections, int requests) {
        return new LoadGenerator(List.of("h2load", "--h1", "-n", Integer.toString(requests),
                "-c", Integer.toString(connections), "-H", "Connection: close", "-B", "unix:" + socket,
                "http://localhost/"), null);
    }

    LoadGenerator start() {
        thread.start();
        return this;
    }

    /**
     * Ends the batch under way and returns the totals. A wrk batch is ended at once with SIGINT, on which wrk
     * stops as at the end of its {@code -d} and prints the same summary (it ignores SIGINT from its first
     * lines on, and handles it once its threads run); one younger than {@link #INTERRUPTIBLE_AFTER_NANOS}
     * runs its course, as every h2load batch does.
     */
    Result finish() throws InterruptedException {
        stop.set(true);
        Process batch = current;
        if (summary != null && batch != null && batch.isAlive()
                && System.nanoTime() - currentSince > INTERRUPTIBLE_AFTER_NANOS) {
            try {
                HupwatchProcess.sendSignal("INT", batch.pid());
            } catch (AssertionError endedMeanwhile) {
                // the batch ended by itself between the check and the signal
            }
        }
        thread.join(TimeUnit.SECONDS.toMillis(60));
        synchronized (this) {
            if (requests == 0) {
                failures.add("no batch completed");
            }
            return new Result(requests, failed, maxLatency, List.copyOf(failures));
        }
    }

    private void loop() {
        while (!stop.get()) {
            try {
                currentSince = System.nanoTime();
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                current = p;
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor();
                record(out);
            } catch (IOException e) {
                synchronized (this) {
                    failures.add("cannot run " + command.get(0) + ": " + e.getMessage());
                }
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void record(String out) {
        if (summary != null) {
            Matcher m = summary.matcher(out);
            if (!m.find()) {
                failures.add("no summary from wrk: " + out);
                return;
            }
            long batchFailed = 0;
            for (int i = 2; i <= 6; i++) {
                batchFailed += Long.parseLong(m.group(i));
            }
            requests += Long.parseLong(m.group(1));
            failed += batchFailed;
            maxLatency = Math.max(maxLatency, Long.parseLong(m.group(7)));
            if (batchFailed > 0) {
                failures.add(m.group());
            }
            return;
        }
        Matcher r = Pattern.compile("requests: (\\d+) total, \\d+ started, \\d+ done, (\\d+) succeeded").matcher(out);
        Matcher s = Pattern.compile("status codes: (\\d+) 2xx").matcher(out);
        Matcher t = Pattern.compile("time for request:\\s+\\S+\\s+(\\S+)").matcher(out);
        if (!r.find() || !s.find()) {
            failures.add("no summary from h2load: " + out);
            return;
        }
        long total = Long.parseLong(r.group(1));
        long ok = Math.min(Long.parseLong(r.group(2)), Long.parseLong(s.group(1)));
        requests += total;
        failed += total - ok;
        if (total != ok) {
            failures.add(out.lines().filter(l -> l.startsWith("requests:") || l.startsWith("status codes:"))
                    .reduce("", (a, b) -> a + b + "; "));
        }
        if (t.find()) {
            maxLatency = Math.max(maxLatency, micros(t.group(1)));
        }
    }

    /** "3.87ms", "465us", "1.2s" as microseconds. */
    static long micros(String v) {
        if (v.endsWith("us")) {
            return Math.round(Double.parseDouble(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("ms")) {
            return Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1000);
        }
        return Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1_000_000);
    }

    @Override
    public void close() {
        stop.set(true);
        Process p = current;
        if (p != null) {
            p.destroyForcibly();
        }
    }
}
