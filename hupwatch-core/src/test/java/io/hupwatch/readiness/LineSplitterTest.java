package io.hupwatch.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    private static List<String> feed(LineSplitter s, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return s.feed(b, b.length).stream().map(x -> new String(x, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void passesWholeLinesAndKeepsAPartialOneForLater() {
        LineSplitter s = new LineSplitter(100);
        assertEquals(List.of("a\n", "bb\n"), feed(s, "a\nbb\ncc"));
        assertEquals(List.of("ccdd\n"), feed(s, "dd\nee"));
        assertEquals("ee", new String(s.rest(), StandardCharsets.UTF_8));
        assertEquals(0, s.rest().length);
    }

    @Test
    void aLineLongerThanTheLimitIsPassedOnInPieces() {
        LineSplitter s = new LineSplitter(4);
        assertEquals(List.of("abcdef"), feed(s, "abcdef"));
        assertEquals(List.of("g\n"), feed(s, "g\n"));
    }
}
