package io.respgate.proxy;

import io.respgate.policy.command.CommandTable;
import io.respgate.proxy.metrics.ProxyMetrics;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampled command latency: one round trip in {@link LatencySampler#EVERY}, none with the switch off. */
class LatencySamplerTest {
    private final CommandTable table = CommandTable.redis70();

    @Test
    void samplesOneRoundTripInEveryWhenNoneIsInFlight() {
        ProxyMetrics metrics = new ProxyMetrics(table);
        LatencySampler sampler = new LatencySampler(metrics);
        int started = 0;
        for (int n = 0; n < 10 * LatencySampler.EVERY; n++) {
            if (sampler.idle()) {
                started++;
                sampler.start();
                sampler.flushed();
                sampler.completed();
            }
        }
        assertEquals(10, started);
        assertEquals(10, count(metrics.scrape(), "respgate_command_duration_seconds_count"));
        assertEquals(10, count(metrics.scrape(), "respgate_command_upstream_duration_seconds_count"));
        assertTrue(sampler.idle(), "the next turn");
        sampler.start();
        assertFalse(sampler.idle(), "one sample in flight");
    }

    /** Issue 5: {@code metrics.commands: false} never starts a sample, so no clock is read on the hot path. */
    @Test
    void neverSamplesWithCommandMetricsOff() {
        ProxyMetrics metrics = new ProxyMetrics(table, false);
        LatencySampler sampler = new LatencySampler(metrics);
        for (int n = 0; n < 100 * LatencySampler.EVERY; n++) {
            assertFalse(sampler.idle());
            sampler.flushed();
        }
        assertFalse(metrics.scrape().contains("respgate_command_duration_seconds"));
    }

    private static double count(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in the scrape");
        }
        return Double.parseDouble(m.group(1));
    }
}
