package io.respgate.proxy.metrics;

import io.respgate.policy.command.CommandTable;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-event-loop counters: each loop counts alone, the scrape shows the sum over all loops. */
class LoopCountersTest {
    private final CommandTable table = CommandTable.redis70();
    private final ProxyMetrics metrics = new ProxyMetrics(table);

    @Test
    void theSameLoopGetsTheSameCounters() {
        Object loop = new Object();
        assertSame(metrics.loopCounters(loop), metrics.loopCounters(loop));
    }

    @Test
    void scrapeSumsWhatEveryLoopCounted() throws Exception {
        int get = table.byName("get").id();
        Thread[] loops = new Thread[3];
        for (int i = 0; i < loops.length; i++) {
            Object loop = new Object();
            int commands = 1000 * (i + 1);
            loops[i] = new Thread(() -> {
                LoopCounters counters = metrics.loopCounters(loop);
                for (int n = 0; n < commands; n++) {
                    counters.forwarded(get);
                    counters.upstreamBytesOut(14);
                    counters.upstreamBytesIn(9);
                }
                counters.forwarded(-1);
                counters.forwarded(Integer.MAX_VALUE);
            });
            loops[i].start();
        }
        for (Thread t : loops) {
            t.join();
        }
        String scrape = metrics.scrape();
        assertEquals(6000, value(scrape, "respgate_commands_total{command=\"get\",outcome=\"forwarded\"}"));
        assertEquals(6, value(scrape, "respgate_commands_total{command=\"other\",outcome=\"forwarded\"}"));
        assertEquals(6000 * 14, value(scrape, "respgate_upstream_bytes_total{direction=\"out\"}"));
        assertEquals(6000 * 9, value(scrape, "respgate_upstream_bytes_total{direction=\"in\"}"));
    }

    /** Issue 5: {@code metrics.commands: false} counts no forwarded command, and registers no such meter. */
    @Test
    void withCommandMetricsOffNothingIsForwardedCountedButBytesAre() {
        ProxyMetrics off = new ProxyMetrics(table, false);
        assertFalse(off.commandMetrics());
        LoopCounters counters = off.loopCounters(new Object());
        int get = table.byName("get").id();
        for (int n = 0; n < 100; n++) {
            counters.forwarded(get);
            counters.upstreamBytesOut(14);
        }
        counters.forwarded(-1);
        off.errorReply(get);
        off.errorReply(-1);
        off.commandLatency(1_000, 500);
        String scrape = off.scrape();
        assertFalse(scrape.contains("outcome=\"forwarded\""), scrape);
        assertFalse(scrape.contains("outcome=\"error\""), scrape);
        assertFalse(scrape.contains("respgate_command_duration_seconds"), scrape);
        assertFalse(scrape.contains("respgate_command_upstream_duration_seconds"), scrape);
        assertEquals(100 * 14, value(scrape, "respgate_upstream_bytes_total{direction=\"out\"}"));
        assertEquals(0, value(scrape, "respgate_commands_total{command=\"get\",outcome=\"denied\"}"),
                "denials are still counted");
        assertTrue(metrics.commandMetrics(), "on by default");
    }

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in the scrape");
        }
        return Double.parseDouble(m.group(1));
    }
}
