package io.hupwatch.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class or method that runs with no other test at the same time: it puts load on the machine
 * (wrk, h2load, {@link LoadGenerator}, {@link SwapsUnderLoad}, thousands of connections, a forked
 * Maven), asserts on timing (a probation window, a latency, a storm's duration), or looks at
 * machine-wide state (dpkg, other JVMs' files). The integration-tests pom runs these one at a time
 * ({@code serial} execution) and every other test class two at a time ({@code parallel} execution),
 * so a new test that does one of these things must carry this annotation.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Serial.TAG)
@interface Serial {
    /** The JUnit tag the pom selects by. */
    String TAG = "serial";
}
