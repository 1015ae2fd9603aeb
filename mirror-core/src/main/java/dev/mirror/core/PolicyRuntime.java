package dev.mirror.core;

import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.core.internal.compare.CompareWorker;
import dev.mirror.core.internal.compare.Comparisons;
import dev.mirror.core.internal.scrub.Scrubber;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.stats.TargetStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** One policy at run time: its targets' channels and the counts shared by all of them. */
final class PolicyRuntime {

  final MirrorPolicy policy;
  final TargetChannel[] channels;
  /** The longest a synchronous caller waits: the slowest target's connect plus read timeout. */
  final long syncWaitNanos;

  /** The policy's scrubbing, ready to run; null if it scrubs nothing. */
  final Scrubber scrubber;

  /** The policy's comparisons; null if it compares nothing. */
  final Comparisons comparisons;

  final LongAdder submitted;
  final LongAdder sampledOut;
  final LongAdder filteredOut;
  final LongAdder trailersLeftOut;
  /** Requests whose marker did not prove itself (with a marker secret): mirrored all the same. */
  final LongAdder unprovenMarkers;

  /**
   * Makes a policy's run-time state; {@code previous} is the same policy (by name) before a
   * configuration change, or null: its counts go on, and so do those of the targets it keeps.
   *
   * @throws IllegalArgumentException if no transport serves a target's scheme
   */
  PolicyRuntime(MirrorPolicy policy, LongSupplier nanoTime, Transports transports,
      CompareWorker compareWorker, PolicyRuntime previous) {
    this.policy = policy;
    this.scrubber = Scrubber.of(policy.rewrite());
    this.submitted = previous == null ? new LongAdder() : previous.submitted;
    this.sampledOut = previous == null ? new LongAdder() : previous.sampledOut;
    this.filteredOut = previous == null ? new LongAdder() : previous.filteredOut;
    this.trailersLeftOut = previous == null ? new LongAdder() : previous.trailersLeftOut;
    this.unprovenMarkers = previous == null ? new LongAdder() : previous.unprovenMarkers;
    this.channels = new TargetChannel[policy.targets().size()];
    long longest = 0;
    for (int i = 0; i < channels.length; i++) {
      MirrorTarget target = policy.targets().get(i);
      channels[i] = new TargetChannel(target, this, transports.forTarget(target), nanoTime,
          previous == null ? null : previous.channel(target.name()));
      longest = Math.max(longest, channels[i].target.connectTimeout()
          .plus(channels[i].target.readTimeout()).toNanos());
    }
    this.syncWaitNanos = longest;
    for (TargetChannel channel : channels) {
      String to = channel.target.deadLetter().target();
      if (to != null) {
        channel.deadLetter = channel(to);
        channel.deadLetter.deadLetterOnly = true;
      }
    }
    this.comparisons = policy.comparison().enabled() ? new Comparisons(policy, scrubber,
        compareWorker, previous == null ? null : previous.comparisons, nanoTime) : null;
  }

  /** Returns the channel of the target with this name, or null. */
  TargetChannel channel(String name) {
    for (TargetChannel channel : channels) {
      if (channel.target.name().equals(name)) {
        return channel;
      }
    }
    return null;
  }

  /**
   * Reads the targets' counts before the policy's: a request is counted here before any target
   * counts it, so no target shows a copy of a request its policy does not show yet.
   */
  PolicyStats snapshot() {
    List<TargetStats> targets = new ArrayList<>(channels.length);
    for (TargetChannel channel : channels) {
      targets.add(channel.snapshot());
    }
    return new PolicyStats(policy.name(), submitted.sum(), sampledOut.sum(), filteredOut.sum(),
        targets, trailersLeftOut.sum(), unprovenMarkers.sum());
  }
}
