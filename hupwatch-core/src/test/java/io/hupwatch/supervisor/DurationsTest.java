package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"250ms,250", "30s,30000", "2m,120000", "1h,3600000", "1.5,1500", "0,0", ".5s,500", "10,10000",
            "1.5m,90000", " 3s ,3000", "0.25,250"})
    void parsesTheDocumentedForms(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-1", "1d", "1 s s", "s", "1e3", "99999999999999999h"})
    void rejectsAnythingElseNamingTheForms(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void formatsForLogs() {
        assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("2m", Durations.format(Duration.ofMinutes(2)));
        assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
        assertEquals("1.234s", Durations.format(Duration.ofMillis(1234)));
    }

    @Test
    void signalsParseByNameOrNumber() {
        assertEquals(PosixSignal.TERM, PosixSignal.parse("TERM"));
        assertEquals(PosixSignal.TERM, PosixSignal.parse("sigterm"));
        assertEquals(PosixSignal.QUIT, PosixSignal.parse("3"));
        assertThrows(IllegalArgumentException.class, () -> PosixSignal.parse("NOPE"));
        assertEquals("status 143 (SIGTERM)", ExitStatus.describe(143));
        assertEquals("status 3", ExitStatus.describe(3));
    }
}
