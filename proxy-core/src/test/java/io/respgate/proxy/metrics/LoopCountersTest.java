package io.respgate.proxy.metrics;

import io.respgate.policy.command.CommandTable;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in the scrape");
        }
        return Double.parseDouble(m.group(1));
    }
}
