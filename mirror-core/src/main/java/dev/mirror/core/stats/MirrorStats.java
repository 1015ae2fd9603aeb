package dev.mirror.core.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A snapshot of an engine's counts, in three levels that never count one thing twice: the engine
 * counts requests it was asked about, each {@link PolicyStats policy} the requests it took, each
 * {@link TargetStats target} the copies it was offered. While the engine is quiet,
 * {@code requests == unrouted + sum of policies' submitted} (less the decisions that failed with
 * an internal error, counted in {@code errors}), and for each target
 * {@code offered() == its policy's offered()}.
 *
 * @param requests requests the engine was asked about while enabled
 * @param unrouted requests no policy took (with several policies; a single policy counts them as
 *     filtered out)
 * @param disabled requests seen while mirroring was switched off
 * @param errors internal errors caught (samplers, listeners or entry points that threw)
 * @param policies per policy, in configuration order
 */
public record MirrorStats(
    long requests, long unrouted, long disabled, long errors, List<PolicyStats> policies) {

  /** Copies the list. */
  public MirrorStats {
    policies = List.copyOf(policies);
  }

  /**
   * Returns the stats of the policy with this name.
   *
   * @throws NoSuchElementException if there is none
   */
  public PolicyStats policy(String name) {
    for (PolicyStats stats : policies) {
      if (stats.name().equals(name)) {
        return stats;
      }
    }
    throw new NoSuchElementException("policy: was " + name + ", must be one of "
        + policies.stream().map(PolicyStats::name).toList());
  }

  /** Returns every policy's targets, in configuration order. */
  public List<TargetStats> targets() {
    List<TargetStats> all = new ArrayList<>();
    for (PolicyStats policy : policies) {
      all.addAll(policy.targets());
    }
    return all;
  }

  /**
   * Returns the stats of the first target with this name, in any policy.
   *
   * @throws NoSuchElementException if there is none
   */
  public TargetStats target(String name) {
    for (TargetStats stats : targets()) {
      if (stats.target().equals(name)) {
        return stats;
      }
    }
    throw new NoSuchElementException("target: was " + name + ", must be one of "
        + targets().stream().map(TargetStats::target).toList());
  }

  /** Returns the stats of a target of a policy. */
  public TargetStats target(String policy, String name) {
    return policy(policy).target(name);
  }
}
