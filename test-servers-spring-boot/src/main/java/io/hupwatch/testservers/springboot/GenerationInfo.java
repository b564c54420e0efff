package io.hupwatch.testservers.springboot;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/** {@code /actuator/info} names the generation and pid that answered, wherever Actuator listens. */
@Component
public class GenerationInfo implements InfoContributor {
    @Override
    public void contribute(Info.Builder builder) {
        builder.withDetail("generation", System.getenv().getOrDefault("HUPWATCH_GENERATION", "?"))
                .withDetail("pid", ProcessHandle.current().pid());
    }
}
