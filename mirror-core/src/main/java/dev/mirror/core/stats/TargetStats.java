package dev.mirror.core.stats;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import java.util.Map;

/**
 * Counts for one target of one policy, read at one moment.
 *
 * <p>Every request its policy passes on ({@link PolicyStats#offered()}) is counted here once, as
 * {@link #offered()}, and ends in exactly one of: {@code sampledOut} by this target's own sampler,
 * a {@code dropped} reason, {@code sent}, a {@code failed} reason, or is still {@code inFlight}
 * (queued or sending). What the policy filtered or sampled out is counted by the policy only.
 *
 * @param policy the policy's name
 * @param target the target's name
 * @param sampledOut left out by this target's own sampler (its share of the policy's copies)
 * @param dropped copies decided on but not sent, by reason; every reason present
 * @param sent copies answered by the target, any status
 * @param failed copies sent without answer, by reason; every reason present
 * @param responsesByClass answers by status class: keys 1 to 5 ({@code 1xx}..{@code 5xx}), and 0
 *     for anything else
 * @param inFlight copies held right now (queued or sending)
 * @param circuitOpen whether the target's circuit is open now
 * @param latency answered and failed copies' latency
 * @param waited in synchronous mode, how long requests waited for their copies before their
 *     answer could leave (what synchronous mode costs the client); empty otherwise
 * @param scrubbed what scrubbing redacted, for policies that scrub
 * @param retries what this target's retries did ({@code mirror.retry.*}); all zero without them
 */
public record TargetStats(
    String policy,
    String target,
    long sampledOut,
    Map<DropReason, Long> dropped,
    long sent,
    Map<FailureReason, Long> failed,
    Map<Integer, Long> responsesByClass,
    int inFlight,
    boolean circuitOpen,
    LatencyHistogram latency,
    LatencyHistogram waited,
    TargetStats.Scrubbed scrubbed,
    TargetStats.Retries retries) {

  /**
   * What retries did for this target's copies. A copy that is retried is still counted once in
   * {@link TargetStats#offered()}, by how it finally ended; these count the attempts on the way.
   *
   * @param scheduled retries scheduled (each a copy sent once more after its backoff)
   * @param exhausted copies that ended failed with every retry used
   * @param refused copies that ended failed, retryable, because {@code retry.max-pending} copies
   *     already waited
   * @param pending copies waiting for a retry now (counted in {@link TargetStats#inFlight()})
   */
  public record Retries(long scheduled, long exhausted, long refused, int pending) {
    /** No retries. */
    public static final Retries NONE = new Retries(0, 0, 0, 0);
  }

  /** Counts without retries: the components this record had before {@code retries}. */
  public TargetStats(String policy, String target, long sampledOut,
      Map<DropReason, Long> dropped, long sent, Map<FailureReason, Long> failed,
      Map<Integer, Long> responsesByClass, int inFlight, boolean circuitOpen,
      LatencyHistogram latency, LatencyHistogram waited, TargetStats.Scrubbed scrubbed) {
    this(policy, target, sampledOut, dropped, sent, failed, responsesByClass, inFlight,
        circuitOpen, latency, waited, scrubbed, Retries.NONE);
  }

  /**
   * What scrubbing did to this target's copies.
   *
   * @param copies copies in which something was redacted
   * @param redactions fields and pattern matches redacted, in all
   * @param nanos time spent composing scrubbed copies, on the sending thread
   */
  public record Scrubbed(long copies, long redactions, long nanos) {}

  /** Copies the maps. */
  public TargetStats {
    dropped = Map.copyOf(dropped);
    failed = Map.copyOf(failed);
    responsesByClass = Map.copyOf(responsesByClass);
    java.util.Objects.requireNonNull(retries, "retries");
  }

  /** Returns the requests offered to this target: the sum of every way a copy ends, and in flight. */
  public long offered() {
    return sampledOut + droppedTotal() + sent + failedTotal() + inFlight;
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
