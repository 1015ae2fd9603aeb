package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mirror.core.replay.Replay;
import dev.mirror.core.stats.LatencyHistogram;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 34, item 7: latency figures are real percentiles from an HdrHistogram, not the upper
 * bounds of fixed buckets; recording one stays cheap and allocation-free.
 */
class LatencyRecorderTest {

  @Test
  void percentiles_areTheLatencies_notBucketBounds() {
    LatencyRecorder recorder = new LatencyRecorder();
    // A shadow timed at 5 to 10 ms: the old report said "p50 <= 10 ms", "p99 <= 10 ms".
    for (int i = 0; i < 1_000; i++) {
      recorder.record(Duration.ofMillis(5).toNanos() + i * 5_000L); // 5.000 .. 9.995 ms
    }
    LatencyHistogram histogram = recorder.snapshot();
    assertThat(histogram.count()).isEqualTo(1_000);
    assertThat(histogram.quantileMillis(0.5)).isCloseTo(7.5, within(0.1));
    assertThat(histogram.quantileMillis(0.99)).isCloseTo(9.95, within(0.1));
    assertThat(histogram.quantileUpperBoundMillis(0.5)).isEqualTo(10);
    assertThat(histogram.totalNanos()).isEqualTo(1_000 * 5_000_000L + 5_000L * 999 * 1_000 / 2);
    // More records after a snapshot add to what was there.
    recorder.record(Duration.ofSeconds(3).toNanos());
    LatencyHistogram later = recorder.snapshot();
    assertThat(later.count()).isEqualTo(1_001);
    assertThat(later.quantileMillis(1)).isCloseTo(3_000, within(30.0));
    assertThat(histogram.count()).as("a snapshot does not change").isEqualTo(1_000);
  }

  @Test
  void aReplayReport_saysPercentiles_notBounds() {
    Replay.Report report = new Replay.Report(10, 0, 10, Map.of(), 0, 7.42, 9.1, 9.87,
        Duration.ofSeconds(1));
    assertThat(report.describe("a", "b")).contains("latency: p50 7.42 ms, p90 9.10 ms,"
        + " p99 9.87 ms").doesNotContain("<=");
  }

  @Test
  void recording_allocatesNothing() {
    LatencyRecorder recorder = new LatencyRecorder();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 20_000; i++) { // warm up: code compiled, nothing lazy left
      recorder.record(i * 1_000L);
    }
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < 100_000; i++) {
      recorder.record(i * 7_919L);
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    assertThat(allocated).as("bytes allocated by 100,000 records").isLessThan(4_096);
  }
}
