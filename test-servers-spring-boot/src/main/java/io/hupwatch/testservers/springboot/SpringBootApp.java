package io.hupwatch.testservers.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stock Spring Boot web app on embedded Tomcat. Usage: {@code java -jar spring-boot-app.jar --server.port=N}.
 * A bad release, for the tests: with {@code TEST_EXIT_AFTER_MS=N} in its environment it stops itself (its own
 * SIGTERM, as an orchestrator or a crash handler would) N ms after it listens.
 */
@SpringBootApplication
@RestController
public class SpringBootApp {
    private final String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
    private final long pid = ProcessHandle.current().pid();

    public static void main(String[] args) {
        SpringApplication.run(SpringBootApp.class, args);
    }

    @GetMapping(path = "/", produces = MediaType.TEXT_PLAIN_VALUE)
    public String root() {
        return "generation " + generation + " pid " + pid + "\n";
    }

    /** A long request: answers after {@code ms} milliseconds. */
    @GetMapping(path = "/slow", produces = MediaType.TEXT_PLAIN_VALUE)
    public String slow(@RequestParam(name = "ms", defaultValue = "2000") long ms) throws InterruptedException {
        Thread.sleep(ms);
        return root();
    }

    @EventListener
    public void onWebServerInitialized(WebServerInitializedEvent event) {
        System.err.println("spring-boot generation " + generation + " pid " + pid + " listening on "
                + event.getWebServer().getPort());
        String exitAfter = System.getenv("TEST_EXIT_AFTER_MS");
        if (exitAfter != null && !exitAfter.isBlank()) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(Long.parseLong(exitAfter.trim()));
                } catch (InterruptedException e) {
                    return;
                }
                System.err.println("spring-boot generation " + generation + " pid " + pid + " stops itself (bad release)");
                sun.misc.Signal.raise(new sun.misc.Signal("TERM"));
            }, "bad-release");
            t.setDaemon(true);
            t.start();
        }
    }
}
