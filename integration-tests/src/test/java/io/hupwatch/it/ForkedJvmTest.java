package io.hupwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server JVM that a build tool forks, as developers and some deployments start one: {@code mvn spring-boot:run}
 * (Spring Boot's Maven plugin forks the application JVM) and {@code mvn exec:exec} running Netty, both under
 * {@code --jvm-agent on}. The forked JVM inherits none of hupwatch's sockets (Java's ProcessBuilder closes every fd
 * above 2), so its agent must fetch them over its link. 2 swaps under load lose no request, the newest generation
 * answers, one application JVM is left, and none (nor any Maven) after hupwatch's TERM.
 *
 * <p>Maven runs offline on the local repository of the running build, which has already resolved both plugins
 * and the modules' dependencies (test-servers-spring-boot packages with the Spring Boot plugin, hupwatch-dist runs
 * the exec plugin).
 */
@Timeout(150)
@Serial // forks Maven and swaps under wrk
class ForkedJvmTest {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(45);

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void springBootRunWithBind() throws Exception {
        int port = TestServers.freePort();
        swapsLeaveOneJvm(springBootRun(port), List.of("--bind", "tcp:127.0.0.1:" + port), port);
    }

    /** Without --bind: generation 1's forked JVM binds, hupwatch adopts the socket, and the later ones fetch it. */
    @Test
    void nettyThroughExecExecAdopted() throws Exception {
        int port = TestServers.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = mvn("test-servers", "exec:exec", "-Dexec.executable=" + java,
                "-Dexec.args=-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -Xmx128m -cp %classpath "
                        + ForkedJvms.NETTY + " " + port + " epoll");
        swapsLeaveOneJvm(new ForkedJvms(ForkedJvms.NETTY + " " + port, ForkedJvms.NETTY, command), List.of(), port);
    }

    /**
     * The forked JVM on Temurin 25 (Maven on the tests' JDK), with --bind: the agent loads hupwatch's handoff client
     * into a module of its own that may load native code, so JDK 24+'s restricted-method warning never shows (the
     * swaps check that no line says WARNING).
     */
    @Test
    void jdkHttpServerOnJava25ThroughExecExec() throws Exception {
        int port = TestServers.freePort();
        List<String> command = mvn("test-servers", "exec:exec", "-Dexec.executable=" + TestServers.java25(),
                "-Dexec.args=-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx64m -cp %classpath " + ForkedJvms.JDK + " "
                        + port);
        swapsLeaveOneJvm(new ForkedJvms(ForkedJvms.JDK + " " + port, ForkedJvms.JDK, command),
                List.of("--bind", "tcp:127.0.0.1:" + port), port);
    }

    /**
     * A held unix socket, the server forked by {@code mvn exec:exec} deleting its path before it binds (as most
     * do): the forked JVM has not got the socket yet at the delete, and the delete must still be skipped, or the
     * socket it then claims has no path left for clients.
     */
    @Test
    void unixSocketServerThroughExecExecKeepsTheSocketFile() throws Exception {
        Path socket = dir.resolve("app.sock");
        List<String> command = mvn("test-servers", "exec:exec", "-Dexec.executable="
                + Path.of(System.getProperty("java.home"), "bin", "java"),
                "-Dexec.args=-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx64m -cp %classpath " + ForkedJvms.UNIX + " "
                        + socket);
        ForkedJvms jvms = cleanup.add(new ForkedJvms(ForkedJvms.UNIX + " " + socket, ForkedJvms.UNIX, command));
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, List.of("--bind", "unix:" + socket, "--jvm-agent",
                "on", "--ready-timeout", READY_TIMEOUT.toSeconds() + "s"), jvms.command));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
        assertTrue(Http.get(socket).startsWith("generation 1 "), hw.describe());
        hw.signal("HUP");
        hw.awaitLine(Pattern.compile("generation 2 \\(pid \\d+\\) ready"), Duration.ofSeconds(90));
        hw.awaitLine(Pattern.compile("generation 1 \\(pid \\d+\\) exited"), Duration.ofSeconds(40));
        assertTrue(Http.get(socket).startsWith("generation 2 "), "the socket file still leads to the held socket\n"
                + hw.describe());
        Pattern kept = Pattern.compile("kept " + Pattern.quote(socket.toString()));
        assertTrue(Stream.concat(hw.stderr().stream(), hw.stdout().stream()).anyMatch(l -> kept.matcher(l).find()),
                "the forked server's delete of the shared socket file was skipped\n" + hw.describe());
        hw.signal("TERM");
        hw.awaitExit(Duration.ofSeconds(40));
        assertEquals(List.of(), jvms.anyLeft(), "no Maven or application JVM left after hupwatch's TERM");
    }

    /** {@code mvn spring-boot:run} of the stock Spring Boot app on {@code port}. */
    private static ForkedJvms springBootRun(int port) {
        String marker = "--server.port=" + port;
        return new ForkedJvms(marker, ForkedJvms.SPRING_BOOT, mvn("test-servers-spring-boot", "spring-boot:run",
                "-Dspring-boot.run.arguments=" + marker,
                "-Dspring-boot.run.jvmArguments=-XX:+UseSerialGC -Xss256k -Xmx256m"));
    }

    /**
     * Runs {@code jvms}' command under hupwatch with {@code options}: 2 swaps under load; then exactly one application
     * JVM, the one answering from the newest generation; none of its processes after the TERM.
     */
    private void swapsLeaveOneJvm(ForkedJvms jvms, List<String> options, int port) throws Exception {
        long start = System.nanoTime();
        cleanup.add(jvms);
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of("--jvm-agent", "on", "--ready-timeout", READY_TIMEOUT.toSeconds() + "s"));
        HupwatchProcess hw = cleanup.add(HupwatchProcess.start(dir, all, jvms.command));
        if (options.isEmpty()) {
            // no --bind: generation 1's forked JVM binds, and hupwatch adopts the socket before the first swap
            hw.awaitLine(Pattern.compile("adopted tcp:\\S+:" + port + " from generation 1"), Duration.ofSeconds(90));
        }
        SwapsUnderLoad.run(hw, port, 2, cleanup, dir, () -> {
            for (int i = 0; i < 20; i++) {
                String body = Http.get(port);
                assertTrue(body.startsWith("generation 3 "), "answer " + i + " from the newest generation: " + body
                        + "\n" + hw.describe());
            }
            List<Long> running = jvms.applicationJvms();
            assertEquals(1, running.size(), "one application JVM left: " + running + "\n" + hw.describe());
            assertTrue(Http.get(port).contains(" pid " + running.get(0) + "\n"), "the one left is the one answering");
            // the forked JVM's own agent serves the held socket (the launcher's JVM has no server)
            Pattern claimed = Pattern.compile("hupwatch-agent: generation 3 \\(pid " + running.get(0) + "\\) serves tcp:");
            assertTrue(Stream.concat(hw.stderr().stream(), hw.stdout().stream()).anyMatch(l -> claimed.matcher(l).find()),
                    "generation 3's forked JVM says it serves the held socket\n" + hw.describe());
            Pattern fetched = Pattern.compile("hupwatch-agent: generation 3 \\(pid " + running.get(0)
                    + "\\) started without hupwatch's sockets .*: got 1 of 1 over the link in (\\d+) ms");
            List<String> said = Stream.concat(hw.stderr().stream(), hw.stdout().stream())
                    .filter(l -> fetched.matcher(l).find()).toList();
            assertEquals(1, said.size(), "generation 3's forked JVM asked hupwatch for the socket\n" + hw.describe());
            System.out.println(said.get(0));
        });
        assertEquals(List.of(), jvms.anyLeft(), "no Maven or application JVM left after hupwatch's TERM\n"
                + hw.describe());
        System.out.println(jvms.mainClass + " forked by Maven, " + (options.isEmpty() ? "adopted" : String.join(" ",
                options)) + ": 2 swaps in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    /**
     * {@code mvn -B -o -q -f MODULE/pom.xml ARGS...}: the Maven of the running build (its {@code maven.home}, passed
     * by the pom) on its local repository, else {@code mvn} on PATH. Maven runs on the tests' JDK (where hupwatch runs
     * on another, Maven 3.8's own JVM would print JDK 24+'s sun.misc.Unsafe warnings), with small-JVM flags.
     */
    private static List<String> mvn(String module, String... args) {
        String home = System.getProperty("hupwatch.it.mavenHome", "");
        Path ofBuild = Path.of(home.isBlank() ? "/nonexistent" : home, "bin", "mvn");
        List<String> command = new ArrayList<>(List.of("env", "JAVA_HOME=" + System.getProperty("java.home"),
                "MAVEN_OPTS=-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                Files.isExecutable(ofBuild) ? ofBuild.toString() : "mvn", "-B", "-o", "-q", "-f",
                HupwatchProcess.repo().resolve(module).resolve("pom.xml").toString()));
        String repository = System.getProperty("hupwatch.it.localRepository", "");
        if (!repository.isBlank()) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The processes of one test's command, found in /proc by {@code marker}, a text only their command lines hold
     * (Maven's, through its arguments, and the forked JVM's). Closing SIGKILLs, by pid, any still running: a forked
     * JVM orphaned by its Maven is no longer among hupwatch's descendants.
     */
    private static final class ForkedJvms implements AutoCloseable {
        static final String NETTY = "io.hupwatch.testservers.NettyPlainServer";
        static final String JDK = "io.hupwatch.testservers.JdkHttpServer";
        static final String UNIX = "io.hupwatch.testservers.UnixJdkServer";
        static final String SPRING_BOOT = "io.hupwatch.testservers.springboot.SpringBootApp";
        private static final String MAVEN = "org.codehaus.plexus.classworlds";

        final String marker;
        final String mainClass;
        final List<String> command;

        ForkedJvms(String marker, String mainClass, List<String> command) {
            this.marker = marker;
            this.mainClass = mainClass;
            this.command = command;
        }

        /** Running processes whose command line holds the marker: Maven, the JVMs it forked, the {@code env} before. */
        List<Long> anyLeft() {
            return HupwatchProcess.ProcAlive.runningWithCmdline(marker).stream()
                    .map(line -> Long.parseLong(line.substring(0, line.indexOf(':')))).toList();
        }

        /** The running forked JVMs: the marker's processes that run the main class, not Maven (nor its start script). */
        List<Long> applicationJvms() {
            return anyLeft().stream().filter(pid -> {
                String cmdline = HupwatchProcess.ProcAlive.cmdline(pid);
                return cmdline.contains(mainClass) && !cmdline.contains(MAVEN) && !cmdline.contains("bin/mvn ");
            }).toList();
        }

        @Override
        public void close() {
            for (long pid : anyLeft()) {
                if (HupwatchProcess.ProcAlive.cmdline(pid).contains(marker)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }
}
