package dev.mirror.core;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * A snapshot of an engine's counts.
 *
 * @param requests requests the engine was asked about while enabled
 * @param unrouted requests no policy took (with several policies; a single policy counts them as
 *     filtered out)
 * @param disabled requests seen while mirroring was switched off
 * @param errors internal errors caught (samplers, listeners or entry points that threw)
 * @param targets per target of each policy, in configuration order
 */
public record MirrorStats(
    long requests, long unrouted, long disabled, long errors, List<TargetStats> targets) {

  /** Copies the list. */
  public MirrorStats {
    targets = List.copyOf(targets);
  }

  /**
   * Returns the stats of the first target with this name.
   *
   * @throws NoSuchElementException if there is none
   */
  public TargetStats target(String name) {
    for (TargetStats stats : targets) {
      if (stats.target().equals(name)) {
        return stats;
      }
    }
    throw new NoSuchElementException("target: was " + name + ", must be one of "
        + targets.stream().map(TargetStats::target).toList());
  }

  /** Returns the stats of a target of a policy. */
  public TargetStats target(String policy, String name) {
    for (TargetStats stats : targets) {
      if (stats.policy().equals(policy) && stats.target().equals(name)) {
        return stats;
      }
    }
    throw new NoSuchElementException("target: was " + policy + "/" + name + ", not configured");
  }
}
