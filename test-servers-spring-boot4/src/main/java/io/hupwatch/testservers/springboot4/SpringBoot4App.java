package io.hupwatch.testservers.springboot4;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stock Spring Boot 4 web app on embedded Tomcat 11, answering its generation and pid.
 * Usage: {@code java -jar spring-boot4-app-exec.jar --server.port=N}.
 */
@SpringBootApplication
@RestController
public class SpringBoot4App {
    private final String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
    private final long pid = ProcessHandle.current().pid();

    public static void main(String[] args) {
        SpringApplication.run(SpringBoot4App.class, args);
    }

    @GetMapping(path = "/", produces = MediaType.TEXT_PLAIN_VALUE)
    public String root() {
        return "generation " + generation + " pid " + pid + "\n";
    }

    @EventListener
    public void onReady(ApplicationReadyEvent event) {
        System.err.println("spring-boot " + SpringBootVersion.getVersion() + " generation " + generation + " pid " + pid
                + " ready");
    }
}
