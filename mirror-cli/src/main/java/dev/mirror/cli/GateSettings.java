package dev.mirror.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code mirror gate} replays and to whom.
 *
 * @param from a capture file or directory
 * @param candidate the version under test
 * @param baseline the version in production: its answers are the primary's
 * @param baseline2 a second instance of the baseline, to learn the noise, or null
 * @param ratePerSecond the most records sent per second, or 0 for as fast as the targets take
 * @param methods methods replayed (empty: all)
 * @param paths path globs replayed (empty: all)
 * @param host the Host copies carry, or null for the recorded one
 * @param keys further {@code mirror.*} keys (timeouts, {@code compare.*})
 */
record GateSettings(Path from, String candidate, String baseline, String baseline2,
    double ratePerSecond, List<String> methods, List<String> paths, String host,
    Map<String, String> keys) {

  /** The gate engine's target names. */
  static final String CANDIDATE = "candidate";
  static final String BASELINE = "baseline";
  static final String BASELINE2 = "baseline2";
}
