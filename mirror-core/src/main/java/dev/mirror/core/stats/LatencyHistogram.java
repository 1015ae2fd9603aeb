package dev.mirror.core.stats;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A snapshot of copy latencies: the engine records each one in an HdrHistogram (microseconds, two
 * significant digits, so within 1 %), from which {@link #quantileMillis} reads real percentiles;
 * the fixed buckets are kept for a coarse view: {@code counts.get(i)} copies took at most {@code
 * upperBoundsMillis.get(i)} ms (and more than the bound before); the last bucket is unbounded
 * ({@link Long#MAX_VALUE}).
 *
 * @param upperBoundsMillis inclusive upper bound of each bucket, ascending
 * @param counts copies per bucket
 * @param totalNanos the sum of every latency recorded, for an average or a timer's total
 * @param recorded every latency recorded, in microseconds; null when made from buckets alone
 */
public record LatencyHistogram(List<Long> upperBoundsMillis, List<Long> counts, long totalNanos,
    Histogram recorded) {

  /** The bucket bounds used by the engine, in milliseconds. */
  public static final List<Long> BOUNDS_MILLIS =
      List.of(1L, 2L, 5L, 10L, 20L, 50L, 100L, 200L, 500L, 1_000L, 2_000L, 5_000L, 10_000L,
          Long.MAX_VALUE);

  /** Validates and copies. */
  public LatencyHistogram {
    upperBoundsMillis = List.copyOf(upperBoundsMillis);
    counts = List.copyOf(counts);
    if (upperBoundsMillis.size() != counts.size()) {
      throw new IllegalArgumentException("counts: was " + counts.size()
          + " buckets, must be " + upperBoundsMillis.size());
    }
    recorded = recorded == null ? null : recorded.copy();
  }

  /** A snapshot of buckets alone (its quantiles are bucket bounds). */
  public LatencyHistogram(List<Long> upperBoundsMillis, List<Long> counts, long totalNanos) {
    this(upperBoundsMillis, counts, totalNanos, null);
  }

  /** Every latency recorded, in microseconds (a copy), or null. */
  @Override
  public Histogram recorded() {
    return recorded == null ? null : recorded.copy();
  }

  /** Returns the number of latencies recorded. */
  public long count() {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return total;
  }

  /**
   * Returns the latency at this quantile, in ms, within 1 % (the HdrHistogram's precision), or 0
   * if nothing was recorded: {@code quantileMillis(0.5)} is the median. A snapshot made from
   * buckets alone answers its bucket's upper bound.
   *
   * @param quantile in (0, 1], for example 0.99
   */
  public double quantileMillis(double quantile) {
    if (recorded == null) {
      return quantileUpperBoundMillis(quantile);
    }
    if (!(quantile > 0 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile: was " + quantile + ", must be in (0, 1]");
    }
    return recorded.getTotalCount() == 0 ? 0
        : recorded.getValueAtPercentile(quantile * 100) / 1_000.0;
  }

  /**
   * Returns the upper bound of the fixed bucket holding the given quantile, in ms (an
   * over-estimate by up to one bucket: not the quantile; {@link #quantileMillis} is), or 0 if
   * nothing was recorded.
   *
   * @param quantile in (0, 1], for example 0.99
   */
  public long quantileUpperBoundMillis(double quantile) {
    if (!(quantile > 0 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile: was " + quantile + ", must be in (0, 1]");
    }
    long total = count();
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(quantile * total);
    long seen = 0;
    for (int i = 0; i < counts.size(); i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return upperBoundsMillis.get(i);
      }
    }
    return Long.MAX_VALUE;
  }
}
