package io.hupwatch.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The unmodified servers of the {@code test-servers} modules (built once by the normal build):
 * how to start each, and what they need (a free port, Temurin 25).
 */
final class TestServers {
    private static final Path REPO = HupwatchProcess.repo();

    private TestServers() {
    }

    /** A JVM running {@code io.hupwatch.testservers.<name>} with small-JVM flags. */
    static List<String> java(String name, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k", "-Xmx128m", "-cp", classpath(),
                "io.hupwatch.testservers." + name));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@link #java}, with Netty 4.2 on the class path instead of 4.1 (test-servers/target/netty-4.2). */
    static List<String> netty42(String name, String... args) {
        return onCopiedLibraries("netty-4.2", name, args);
    }

    /** The plain embedded Tomcat 11 server on its own class path (test-servers/target/tomcat-11). */
    static List<String> tomcat11(int port) {
        return onCopiedLibraries("tomcat-11", "TomcatPlainServer", Integer.toString(port));
    }

    /** The plain Vert.x 4.5 server on its own class path (test-servers/target/vertx, with Vert.x's own Netty). */
    static List<String> vertx(int port) {
        return onCopiedLibraries("vertx", "VertxServer", Integer.toString(port));
    }

    /** {@link #java}, with the libraries test-servers copied to target/LIBRARIES instead of its own class path. */
    private static List<String> onCopiedLibraries(String libraries, String name, String... args) {
        List<String> cmd = java(name, args);
        Path module = REPO.resolve("test-servers/target");
        cmd.set(cmd.indexOf("-cp") + 1, module.resolve("classes") + ":" + module.resolve(libraries) + "/*");
        return cmd;
    }

    /** A JVM running one of the child-API servers on the integration tests' own classpath, with small-JVM flags. */
    static List<String> onTestClasspath(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k", "-Xmx128m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Netty 4.2 on its io_uring transport (its own module: Netty 4.2 and 4.1 cannot share a class path). */
    static List<String> nettyIoUring(int port) {
        return inOwnModule("test-servers-netty42", "io.hupwatch.testservers.netty42.NettyIoUringServer", port);
    }

    /** The plain Jetty 11 server (its own module: Jetty 11 and 12 cannot share a class path). */
    static List<String> jetty11(int port) {
        return inOwnModule("test-servers-jetty11", "io.hupwatch.testservers.jetty11.Jetty11Server", port);
    }

    /** A server of a module with its classes in target/classes and its libraries in target/lib. */
    private static List<String> inOwnModule(String name, String mainClass, int port) {
        Path module = REPO.resolve(name).resolve("target");
        if (!Files.isDirectory(module.resolve("lib"))) {
            throw new IllegalStateException(module + "/lib is missing: build it with mvn package (the whole reactor)");
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xss256k", "-Xmx128m", "-cp", module.resolve("classes") + ":" + module.resolve("lib")
                + "/*", mainClass, Integer.toString(port));
    }

    /** The stock Spring Boot executable jar, {@code java -jar app.jar --server.port=PORT}. */
    static List<String> springBoot(int port) {
        return executableJar("test-servers-spring-boot/target/spring-boot-app-exec.jar", port);
    }

    /** The stock Spring Boot 4 executable jar (Tomcat 11), {@code java -jar app4.jar --server.port=PORT}. */
    static List<String> springBoot4(int port) {
        return executableJar("test-servers-spring-boot4/target/spring-boot4-app-exec.jar", port);
    }

    private static List<String> executableJar(String path, int port) {
        Path jar = REPO.resolve(path);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with mvn package (the whole reactor)");
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-Xss256k", "-Xmx256m", "-jar", jar.toString(), "--server.port=" + port);
    }

    private static String classpath() {
        Path module = REPO.resolve("test-servers/target");
        try {
            return module.resolve("classes") + ":" + Files.readString(module.resolve("classpath.txt")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("test-servers is not built (" + e.getMessage() + "): run mvn package", e);
        }
    }

    /** A PKCS12 key store in {@code dir} with a self-signed EC certificate for 127.0.0.1, made by the JDK's keytool. */
    static Path selfSignedKeyStore(Path dir, String password) throws IOException, InterruptedException {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", password, "-keypass", password).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            keytool.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + output);
        }
        return store;
    }

    /** A port nothing listens on, handed out once per run: {@link FreePorts}. */
    static int freePort() throws IOException {
        return FreePorts.next();
    }

    /**
     * Temurin 25, under /usr/lib/jvm on this machine kind. Skipped with a clear line where it is absent,
     * except under CI, where its absence fails the test.
     */
    static Path java25() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        try (var dirs = Files.isDirectory(jvms) ? Files.list(jvms) : java.util.stream.Stream.<Path>empty()) {
            var found = dirs.filter(d -> d.getFileName().toString().startsWith("temurin-25"))
                    .map(d -> d.resolve("bin/java")).filter(Files::isExecutable).findFirst();
            if (found.isEmpty() && System.getenv("CI") != null) {
                throw new IllegalStateException("Temurin 25 is not under /usr/lib/jvm, and CI must run this test");
            }
            Assumptions.assumeTrue(found.isPresent(), "Temurin 25 is not under /usr/lib/jvm: test skipped");
            return found.get();
        }
    }

    /** Temurin 25's java, or null where it is absent (never under CI, where its absence fails). */
    static Path java25OrNull() throws IOException {
        try {
            return java25();
        } catch (org.opentest4j.TestAbortedException e) {
            System.out.println(e.getMessage());
            return null;
        }
    }
}
