package dev.mirror.core;

import dev.mirror.core.stats.LatencyHistogram;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records latencies for a {@link LatencyHistogram}: an HdrHistogram {@link Recorder} (two
 * significant digits, microseconds up to an hour and a half), so recording is wait-free and
 * allocates nothing on the copy path, and a reader folds what was recorded since the last
 * snapshot into a cumulative histogram, under this object's lock, off the copy path.
 */
final class LatencyRecorder {

  /** The largest latency kept as it is, in microseconds; a longer one counts as this. */
  static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(90);
  private static final int DIGITS = 2;

  private final Recorder recorder = new Recorder(1, HIGHEST_MICROS, DIGITS);
  private final LongAdder totalNanos = new LongAdder();
  /** Everything recorded before the last snapshot; guarded by this. */
  private final Histogram cumulative = new Histogram(1, HIGHEST_MICROS, DIGITS);
  /** The recorder's last interval, handed back to it; guarded by this. */
  private Histogram interval;

  /** Records one latency: no lock, no allocation. */
  void record(long nanos) {
    long micros = nanos <= 0 ? 0 : Math.min(nanos / 1_000, HIGHEST_MICROS);
    recorder.recordValue(micros);
    totalNanos.add(Math.max(0, nanos));
  }

  /** Everything recorded so far. */
  synchronized LatencyHistogram snapshot() {
    interval = recorder.getIntervalHistogram(interval);
    cumulative.add(interval);
    long[] bounds = LatencyHistogram.BOUNDS_MILLIS.stream().mapToLong(Long::longValue).toArray();
    Long[] counts = new Long[bounds.length];
    long below = 0;
    for (int i = 0; i < bounds.length; i++) {
      long upToMicros = bounds[i] == Long.MAX_VALUE ? HIGHEST_MICROS : bounds[i] * 1_000;
      long upTo = cumulative.getCountBetweenValues(0, upToMicros);
      counts[i] = Math.max(0, upTo - below);
      below = Math.max(below, upTo);
    }
    return new LatencyHistogram(LatencyHistogram.BOUNDS_MILLIS, java.util.List.of(counts),
        totalNanos.sum(), cumulative.copy());
  }
}
