package dev.mirror.api;

import java.util.List;
import java.util.Objects;

/**
 * What a dispatcher did with a request: overall, and per target.
 *
 * @param outcome {@link Outcome#ACCEPTED} if at least one target accepted a copy; otherwise why
 *     not
 * @param dropReason why it was dropped, when {@code outcome} is {@link Outcome#DROPPED}; else null
 * @param targets what happened per target, for requests that reached targets; else empty
 */
public record SubmitResult(Outcome outcome, DropReason dropReason, List<TargetResult> targets) {

  /**
   * What happened to the copy for one target.
   *
   * @param target the target's name
   * @param outcome {@link Outcome#ACCEPTED}, {@link Outcome#SAMPLED_OUT} or {@link Outcome#DROPPED}
   * @param dropReason why it was dropped, or null
   */
  public record TargetResult(String target, Outcome outcome, DropReason dropReason) {
    /** Validates. */
    public TargetResult {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(outcome, "outcome");
      if ((outcome == Outcome.DROPPED) != (dropReason != null)) {
        throw new IllegalArgumentException("dropReason: was " + dropReason
            + ", must be set exactly when the outcome is DROPPED (was " + outcome + ")");
      }
    }
  }

  /** Validates and copies. */
  public SubmitResult {
    Objects.requireNonNull(outcome, "outcome");
    if ((outcome == Outcome.DROPPED) != (dropReason != null)) {
      throw new IllegalArgumentException("dropReason: was " + dropReason
          + ", must be set exactly when the outcome is DROPPED (was " + outcome + ")");
    }
    targets = List.copyOf(targets);
  }

  /** Returns a result without per-target detail. */
  public static SubmitResult of(Outcome outcome) {
    return new SubmitResult(outcome, null, List.of());
  }

  /** Returns a drop without per-target detail. */
  public static SubmitResult dropped(DropReason reason) {
    return new SubmitResult(Outcome.DROPPED, Objects.requireNonNull(reason, "reason"), List.of());
  }

  /** Returns true if at least one copy was accepted. */
  public boolean accepted() {
    return outcome == Outcome.ACCEPTED;
  }
}
