package io.hupwatch.testservers.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A stock Spring Boot web app on embedded Tomcat. Usage: {@code java -jar spring-boot-app.jar --server.port=N}. */
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
    }
}
