package dev.mirror.core;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import java.util.Map;

/**
 * Counts for one target of one policy, read at one moment.
 *
 * <p>Every request taken by the policy is counted once as {@code submitted} and ends in exactly
 * one of: {@code sampledOut}, {@code filteredOut}, a {@code dropped} reason, {@code sent}, a {@code
 * failed} reason, or is still {@code inFlight} (queued or sending).
 *
 * @param policy the policy's name
 * @param target the target's name
 * @param submitted requests taken by the policy
 * @param sampledOut not sampled (by the policy or by the target's own sampler)
 * @param filteredOut let not through by the policy's filter (or the policy is disabled)
 * @param dropped copies decided on but not sent, by reason; every reason present
 * @param sent copies answered by the target, any status
 * @param failed copies sent without answer, by reason; every reason present
 * @param responsesByClass answers by status class: keys 1 to 5 ({@code 1xx}..{@code 5xx}), and 0
 *     for anything else
 * @param inFlight copies held right now (queued or sending)
 * @param circuitOpen whether the target's circuit is open now
 * @param latency answered and failed copies' latency
 */
public record TargetStats(
    String policy,
    String target,
    long submitted,
    long sampledOut,
    long filteredOut,
    Map<DropReason, Long> dropped,
    long sent,
    Map<FailureReason, Long> failed,
    Map<Integer, Long> responsesByClass,
    int inFlight,
    boolean circuitOpen,
    LatencyHistogram latency) {

  /** Copies the maps. */
  public TargetStats {
    dropped = Map.copyOf(dropped);
    failed = Map.copyOf(failed);
    responsesByClass = Map.copyOf(responsesByClass);
  }

  /** Returns the copies dropped for this reason. */
  public long dropped(DropReason reason) {
    return dropped.getOrDefault(reason, 0L);
  }

  /** Returns the copies dropped for any reason. */
  public long droppedTotal() {
    return dropped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Returns the copies failed for this reason. */
  public long failed(FailureReason reason) {
    return failed.getOrDefault(reason, 0L);
  }

  /** Returns the copies failed for any reason. */
  public long failedTotal() {
    return failed.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Returns the answers in a status class, for example 5 for {@code 5xx}. */
  public long responses(int statusClass) {
    return responsesByClass.getOrDefault(statusClass, 0L);
  }
}
