package io.hupwatch.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hupwatch.supervisor.MemoryRoom.Verdict;
import org.junit.jupiter.api.Test;

/** The rule: used + footprint + limit/10 must fit for a swap, and half a footprint more for a probation. */
class MemoryRoomTest {
    private static final long MIB = 1024 * 1024;
    private static final String SERVING = "generation 2 (pid 41)";

    private static MemoryRoom.Judgement judge(long limitMib, long usedMib, long footprintMib) {
        return MemoryRoom.judge(new MemoryUse(limitMib < 0 ? -1 : limitMib * MIB, usedMib * MIB, "/sys/fs/cgroup/app"),
                footprintMib * MIB, SERVING);
    }

    @Test
    void roomForTheNewOneAndHalfAGenerationMoreKeepsTheProbation() {
        // 1000 - 100 free = 900 for: 300 used + 400 new + 200 probation
        MemoryRoom.Judgement j = judge(1000, 300, 400);
        assertEquals(Verdict.FITS, j.verdict());
        assertTrue(j.text().startsWith("memory limit 1000 MiB (/sys/fs/cgroup/app), in use 300 MiB, generation 2"
                + " (pid 41) holds 400 MiB, 100 MiB kept free: room for a new generation and a probation"), j.text());
    }

    @Test
    void roomForTheSwapOnlySkipsTheProbation() {
        assertEquals(Verdict.NO_PROBATION, judge(1000, 301, 400).verdict());
        assertEquals(Verdict.NO_PROBATION, judge(1000, 500, 400).verdict(), "500 + 400 + 100 = 1000: just fits");
        assertTrue(judge(1000, 500, 400).text().endsWith("not for a probation (1200 MiB needed)"),
                judge(1000, 500, 400).text());
    }

    @Test
    void noRoomForASecondGenerationFailsTheReload() {
        MemoryRoom.Judgement j = judge(1000, 501, 400);
        assertEquals(Verdict.DOES_NOT_FIT, j.verdict());
        assertEquals("not enough memory for a new generation beside generation 2 (pid 41), assuming it needs what"
                + " that one holds (memory limit 1000 MiB (/sys/fs/cgroup/app), in use 501 MiB, generation 2 (pid 41)"
                + " holds 400 MiB, 100 MiB kept free: 1001 MiB needed)", j.text());
        // a limit of 1.6 serving generations, hupwatch's 50 MiB included: never two
        assertEquals(Verdict.DOES_NOT_FIT, judge(50 + 640, 50 + 400, 400).verdict());
    }

    @Test
    void noLimitOrNoFootprintIsNotJudged() {
        assertEquals(Verdict.FITS, judge(-1, 300, 400).verdict());
        assertNull(judge(-1, 300, 400).text());
        assertEquals(Verdict.FITS, judge(100, 300, -1).verdict(), "a generation whose memory cannot be read");
        assertEquals(Verdict.FITS, MemoryRoom.judge(null, 400 * MIB, SERVING).verdict());
    }
}
