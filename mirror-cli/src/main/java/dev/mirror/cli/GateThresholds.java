package dev.mirror.cli;

/**
 * When a gate fails.
 *
 * @param maxDiffRate the highest share of an endpoint's answers a field (that is not noise) may
 *     differ in, in [0, 1]
 * @param maxP50Ratio the candidate's median latency over the baseline's at most, or 0 for no check
 * @param maxP99Ratio the same for the 99th percentile, or 0 for no check
 * @param maxErrors candidate copies that may fail or be dropped
 */
record GateThresholds(double maxDiffRate, double maxP50Ratio, double maxP99Ratio,
    long maxErrors) {

  /** Checks the ranges. */
  GateThresholds {
    if (!(maxDiffRate >= 0 && maxDiffRate <= 1)) {
      throw new IllegalArgumentException("--max-diff-rate: was " + maxDiffRate
          + ", must be in [0, 1]");
    }
    if (maxP50Ratio < 0 || maxP99Ratio < 0) {
      throw new IllegalArgumentException("--max-latency-ratio: was " + maxP50Ratio + ":"
          + maxP99Ratio + ", must be above 0");
    }
    if (maxErrors < 0) {
      throw new IllegalArgumentException("--max-errors: was " + maxErrors + ", must be >= 0");
    }
  }

  /**
   * Reads {@code --max-latency-ratio}: {@code P50:P99} ({@code 1.2:1.5}), or one ratio for both.
   *
   * @return {p50, p99}
   * @throws IllegalArgumentException naming the option
   */
  static double[] latencyRatios(String value) {
    String[] parts = value.split(":", -1);
    try {
      if (parts.length == 1) {
        double both = Double.parseDouble(parts[0]);
        if (both > 0) {
          return new double[] {both, both};
        }
      } else if (parts.length == 2) {
        double p50 = Double.parseDouble(parts[0]);
        double p99 = Double.parseDouble(parts[1]);
        if (p50 > 0 && p99 > 0) {
          return new double[] {p50, p99};
        }
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException("--max-latency-ratio: was " + value
        + ", must be P50:P99 (1.2:1.5) or one ratio above 0 for both");
  }
}
