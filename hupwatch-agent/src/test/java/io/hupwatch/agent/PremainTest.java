package io.hupwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PremainTest {

    @Test
    void readsTheFeatureReleaseOfOldAndNewVersionStrings() {
        assertEquals(8, Premain.feature("1.8"));
        assertEquals(11, Premain.feature("11"));
        assertEquals(17, Premain.feature("17"));
        assertEquals(25, Premain.feature("25"));
        assertEquals(0, Premain.feature("odd"));
    }
}
