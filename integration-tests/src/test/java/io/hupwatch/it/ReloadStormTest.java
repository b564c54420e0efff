package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A deploy script gone wild: 100 HUPs within one second, under load, against gunicorn gated by
 * {@code --ready 'log:Booting worker'} with {@code --preload}. hupwatch must merge the HUPs (at most
 * one generation starting at any time, far fewer generations than HUPs), settle on exactly one
 * serving generation, and not fail a single request.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Serial // wrk, and the storm of HUPs must take at most 1.5 s
class ReloadStormTest extends CliTestSupport {
    private static final Pattern LISTENING_TCP = Pattern.compile("listening on tcp:127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern STARTED = Pattern.compile("hupwatch - generation (\\d+) \\(pid \\d+\\) started: ");
    private static final Pattern READY = Pattern.compile("hupwatch - generation (\\d+) \\(pid \\d+\\) ready after ");
    private static final Pattern EXITED = Pattern.compile("hupwatch - generation (\\d+) \\(pid \\d+\\) exited ");
    private static final Pattern FAILED = Pattern.compile("hupwatch - reload failed: generation (\\d+) ");
    private static final int HUPS = 100;

    @Test
    void hundredHupsInOneSecondUnderLoadMergeIntoFewSwapsWithoutAFailedRequest() throws Exception {
        Path app = GunicornApp.copyInto(dir);
        Path control = dir.resolve("control.sock");
        try (HupwatchProcess hw = HupwatchProcess.start(dir, "--bind", "tcp:127.0.0.1:0", "--pass", "systemd",
                "--ready", "log:Booting worker", "--ready-timeout", "30s", "--drain-timeout", "15s",
                "--control", control.toString(), "--",
                "gunicorn", "--preload", "--chdir", app.toString(), "--workers", "2", "--graceful-timeout", "10", "app:app");
             LoadGenerator load = LoadGenerator.wrk("http://127.0.0.1:" + port(hw) + "/", 16, 2, dir)) {
            hw.awaitLine(ready(1), WAIT);
            int port = port(hw);
            assertTrue(Http.get(port).startsWith("generation 1 "));
            load.start();
            Thread.sleep(1000);

            // Sample the status over the control socket (the documented protocol) while the storm goes on.
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicInteger samples = new AtomicInteger();
            AtomicInteger maxStarting = new AtomicInteger();
            List<String> badSamples = new CopyOnWriteArrayList<>();
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    try {
                        String json = ControlRequest.send(control, "status json");
                        List<ControlRequest.Gen> gens = ControlRequest.generations(json);
                        int starting = (int) ControlRequest.count(gens, "starting");
                        maxStarting.accumulateAndGet(starting, Math::max);
                        if (starting > 1 || ControlRequest.count(gens, "serving") != 1) {
                            badSamples.add(json);
                        }
                        samples.incrementAndGet();
                        Thread.sleep(15);
                    } catch (Exception e) {
                        badSamples.add("status failed: " + e);
                    }
                }
            }, "status-sampler");
            sampler.setDaemon(true);
            sampler.start();

            // 100 HUPs from one bash, about 5 ms apart, forking nothing (kill and read are builtins; read
            // waits out its timeout on a FIFO nobody writes), so a busy machine does not stretch the storm.
            long t0 = System.nanoTime();
            Path fifo = dir.resolve("pause");
            Process storm = new ProcessBuilder("/bin/bash", "-c", "mkfifo " + fifo + " && exec 3<>" + fifo
                    + "; i=0; while [ $i -lt " + HUPS + " ]; do kill -HUP " + hw.pid()
                    + " || exit 1; i=$((i+1)); read -t 0.004 -u 3; done; exit 0")
                    .redirectErrorStream(true).start();
            assertTrue(storm.waitFor(10, TimeUnit.SECONDS), "the HUP storm finished");
            long stormMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, storm.exitValue(), new String(storm.getInputStream().readAllBytes()));
            assertTrue(stormMs <= 1500, HUPS + " HUPs took " + stormMs + "ms");

            // Let it settle: exactly one generation left, serving.
            HupwatchProcess.await("one generation left, serving", Duration.ofSeconds(45), () -> {
                try {
                    List<ControlRequest.Gen> gens = ControlRequest.generations(ControlRequest.send(control, "status json"));
                    return gens.size() == 1 && gens.get(0).state().equals("serving");
                } catch (Exception e) {
                    return false;
                }
            });
            sampling.set(false);
            sampler.join(5000);
            Thread.sleep(1000);
            LoadGenerator.Result result = load.finish();

            // The documented client agrees.
            HupwatchCli.Result status = HupwatchCli.run(dir, "status", "--control", control.toString(), "--json");
            assertEquals(0, status.exit(), status.toString());
            List<ControlRequest.Gen> last = ControlRequest.generations(status.stdout());
            assertEquals(1, ControlRequest.count(last, "serving"), status.toString());
            assertEquals(0, ControlRequest.count(last, "starting"), status.toString());
            assertEquals(1, last.size(), status.toString());
            int serving = last.get(0).generation();
            assertTrue(Http.get(port).startsWith("generation " + serving + " "), "the serving generation answers");

            // From the log: never two generations starting at once, and every started one accounted for.
            List<String> log = hw.stderr();
            Set<Integer> starting = new HashSet<>();
            int maxStartingInLog = 0;
            int generations = 0;
            for (String line : log) {
                Matcher m;
                if ((m = STARTED.matcher(line)).find()) {
                    starting.add(Integer.parseInt(m.group(1)));
                    generations = Math.max(generations, Integer.parseInt(m.group(1)));
                } else if ((m = READY.matcher(line)).find() || (m = FAILED.matcher(line)).find()
                        || (m = EXITED.matcher(line)).find()) {
                    starting.remove(Integer.parseInt(m.group(1)));
                }
                maxStartingInLog = Math.max(maxStartingInLog, starting.size());
            }
            List<String> failedReloads = hw.linesMatching(Pattern.compile("reload failed"));
            String summary = HUPS + " HUPs in " + stormMs + "ms -> " + (generations - 1) + " swaps (generation "
                    + serving + " serves); " + samples.get() + " status samples, at most " + maxStarting.get()
                    + " starting; load: " + result;
            System.out.println(getClass().getSimpleName() + ": " + summary);

            assertTrue(samples.get() >= 20, "the status was sampled during the storm: " + summary);
            assertTrue(badSamples.isEmpty(), "status samples with more than one generation starting, or not exactly"
                    + " one serving:\n" + String.join("\n", badSamples));
            assertTrue(maxStartingInLog <= 1, "the log shows " + maxStartingInLog + " generations starting at once\n"
                    + hw.describe());
            assertTrue(failedReloads.isEmpty(), "no reload failed: " + failedReloads);
            assertEquals(generations, serving, "the last generation started is the one serving");
            assertTrue(generations >= 2, "the HUPs led to a swap");
            assertTrue(generations <= 20, "the HUPs were merged: " + generations + " generations for " + HUPS + " HUPs");
            assertTrue(hw.findLine(Pattern.compile("reload requested while generation \\d+ \\(pid \\d+\\) is starting:"
                    + " one more reload will follow"), 0).isPresent(), "hupwatch says it merges HUPs\n" + hw.describe());
            assertTrue(result.requests() > 500, "the load ran: " + result);
            assertEquals(0, result.failed(), "no request failed during the HUP storm: " + result);

            hw.signal("TERM");
            int exit = hw.awaitExit(WAIT);
            assertTrue(exit == 0 || exit == 143, "clean exit, got " + exit + "\n" + hw.describe());
            assertNothingLeft(hw);
        }
    }

    private static int port(HupwatchProcess hw) {
        Matcher m = LISTENING_TCP.matcher(hw.awaitLine(LISTENING_TCP, WAIT));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }
}
