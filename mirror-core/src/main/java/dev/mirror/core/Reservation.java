package dev.mirror.core;

import dev.mirror.api.Decision;
import dev.mirror.api.SubmitResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** A decision to mirror: the room taken at each chosen target, to be used or given back once. */
final class Reservation implements Decision {

  final PolicyRuntime policy;
  final TargetChannel[] channels;
  /** What happened at the targets that took no room (sampled out or dropped), for the result. */
  final List<SubmitResult.TargetResult> skipped;
  private final AtomicBoolean settled;

  Reservation(PolicyRuntime policy, TargetChannel[] channels, List<SubmitResult.TargetResult> skipped,
      AtomicBoolean settled) {
    this.policy = policy;
    this.channels = channels;
    this.skipped = skipped;
    this.settled = settled;
  }

  /** Returns true the first time only: a reservation is used or given back exactly once. */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }

  @Override
  public boolean mirrored() {
    return true;
  }

  @Override
  public SubmitResult result() {
    return null;
  }

  @Override
  public int maxBodyBytes() {
    return policy.policy.maxBodyBytes();
  }
}
