package dev.mirror.core.stats;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * Counts for one policy, read at one moment: what happened to the requests it took, and below it,
 * what happened to the copies at each of its targets.
 *
 * <p>Every request the policy takes is counted once in {@code submitted} and ends in one of
 * {@code filteredOut}, {@code sampledOut}, or {@link #offered()}: passed on to every target, where
 * each target counts it once again, as a copy (see {@link TargetStats}). So a policy's counts and
 * its targets' never repeat each other: add up targets to count copies, read the policy to count
 * requests.
 *
 * @param name the policy's name
 * @param submitted requests taken by the policy (routed to it, or with one policy, every request)
 * @param sampledOut requests the policy's sampler left out
 * @param filteredOut requests its filter let not through (or all, while the policy is disabled)
 * @param targets its targets, in configuration order
 * @param trailersLeftOut requests whose trailer fields their copies went without (no transport
 *     sends trailers; they are never merged into the headers)
 * @param unprovenMarkers requests that carried the marker header without a valid proof, with
 *     {@code mirror.marker-secret} set: from outside the fleet, so mirrored like any other (and
 *     counted in the other fields as such)
 */
public record PolicyStats(String name, long submitted, long sampledOut, long filteredOut,
    List<TargetStats> targets, long trailersLeftOut, long unprovenMarkers) {

  /** Copies the list. */
  public PolicyStats {
    targets = List.copyOf(targets);
  }

  /** Stats without unproven markers (the form before the marker secret existed). */
  public PolicyStats(String name, long submitted, long sampledOut, long filteredOut,
      List<TargetStats> targets, long trailersLeftOut) {
    this(name, submitted, sampledOut, filteredOut, targets, trailersLeftOut, 0);
  }

  /** Stats without trailers left out. */
  public PolicyStats(String name, long submitted, long sampledOut, long filteredOut,
      List<TargetStats> targets) {
    this(name, submitted, sampledOut, filteredOut, targets, 0, 0);
  }

  /** Returns the requests passed on to the targets: neither filtered nor sampled out. */
  public long offered() {
    return submitted - sampledOut - filteredOut;
  }

  /**
   * Returns the stats of this policy's target with this name.
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
}
