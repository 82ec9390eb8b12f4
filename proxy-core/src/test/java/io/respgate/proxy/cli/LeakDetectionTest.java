package io.respgate.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.util.ResourceLeakDetector.Level;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {
    @Test
    void offUnlessTheOperatorSetsALevel() {
        assertEquals(Level.DISABLED, LeakDetection.levelFor(null, null));
    }

    @Test
    void theOperatorsLevelWins() {
        assertEquals(Level.PARANOID, LeakDetection.levelFor("paranoid", null));
        assertEquals(Level.SIMPLE, LeakDetection.levelFor(" SIMPLE ", null));
        assertEquals(Level.ADVANCED, LeakDetection.levelFor(null, "advanced"));
        assertEquals(Level.PARANOID, LeakDetection.levelFor("paranoid", "disabled"));
        assertEquals(Level.DISABLED, LeakDetection.levelFor("0", null));
        assertEquals(Level.SIMPLE, LeakDetection.levelFor("sometimes", null));
    }

    @Test
    void theTestJvmKeepsItsParanoidLevel() {
        // The build runs tests with -Dio.netty.leakDetection.level=paranoid; configure() must keep it.
        Level before = io.netty.util.ResourceLeakDetector.getLevel();
        LeakDetection.configure();
        assertEquals(Level.PARANOID, io.netty.util.ResourceLeakDetector.getLevel());
        assertEquals(Level.PARANOID, before);
    }
}
