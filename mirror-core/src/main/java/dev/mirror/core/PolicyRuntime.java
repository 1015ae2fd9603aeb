package dev.mirror.core;

import dev.mirror.api.MirrorPolicy;
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

  final LongAdder submitted = new LongAdder();
  final LongAdder sampledOut = new LongAdder();
  final LongAdder filteredOut = new LongAdder();

  PolicyRuntime(MirrorPolicy policy, LongSupplier nanoTime) {
    this.policy = policy;
    this.channels = new TargetChannel[policy.targets().size()];
    long longest = 0;
    for (int i = 0; i < channels.length; i++) {
      channels[i] = new TargetChannel(policy.targets().get(i), this, nanoTime);
      longest = Math.max(longest, channels[i].target.connectTimeout()
          .plus(channels[i].target.readTimeout()).toNanos());
    }
    this.syncWaitNanos = longest;
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
        targets);
  }
}
