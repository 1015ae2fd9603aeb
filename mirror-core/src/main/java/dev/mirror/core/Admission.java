package dev.mirror.core;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.Outcome;
import dev.mirror.api.RequestView;
import dev.mirror.api.Sampler;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.internal.RateLimitedLog;
import dev.mirror.core.internal.marker.LoopMarker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides on the request thread whether a request is mirrored, and to which targets: route to a
 * policy, check the loop marker, filter, sample, then take room at each target (circuit, in-flight
 * cap, rate limit). A "no" allocates nothing; a "yes" is a {@link Reservation} that must be
 * submitted or abandoned once.
 */
final class Admission {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorEngine.class);

  /** Swapped whole by a configuration change; a decision reads it once. */
  private volatile PolicyRuntime[] policies;
  private final Outcomes outcomes;
  private final InFlight inFlight;
  private final Reservation.Guards lostReservations = new Reservation.Guards();

  private final LongAdder requests = new LongAdder();
  private final LongAdder unrouted = new LongAdder();
  private final LongAdder disabled = new LongAdder();

  private volatile boolean enabled;
  private volatile boolean closed;

  /** What an incoming marker proves. */
  private final LoopMarker loopMarker;
  /** At most one line a minute per policy about markers from outside. */
  private final RateLimitedLog markerLog;

  Admission(PolicyRuntime[] policies, Outcomes outcomes, InFlight inFlight, boolean enabled,
      LoopMarker loopMarker, LongSupplier nanoTime) {
    this.policies = policies;
    this.outcomes = outcomes;
    this.inFlight = inFlight;
    this.enabled = enabled;
    this.loopMarker = loopMarker;
    this.markerLog = new RateLimitedLog(Duration.ofMinutes(1), nanoTime);
  }

  PolicyRuntime[] policies() {
    return policies;
  }

  /** From now on requests are decided under these policies; decisions made before keep theirs. */
  void replace(PolicyRuntime[] next) {
    policies = next;
  }

  void setEnabled(boolean on) {
    enabled = on;
  }

  boolean isEnabled() {
    return enabled;
  }

  /** From now on every request is turned away as disabled. */
  void close() {
    closed = true;
  }

  long requests() {
    return requests.sum();
  }

  long unrouted() {
    return unrouted.sum();
  }

  long disabled() {
    return disabled.sum();
  }

  /** Decides under the named policy, or, for a null name, the first policy that takes it. */
  Decision decide(RequestView request, String policyName) {
    if (!enabled || closed) {
      disabled.increment();
      return NotMirrored.DISABLED;
    }
    try {
      requests.increment();
      PolicyRuntime[] current = policies;
      PolicyRuntime policy = policyName == null ? route(current, request)
          : named(current, policyName);
      if (policy != null) {
        return decide(policy, request);
      }
      if (policyName == null && current.length == 1) {
        // With one policy, "not taken" reads better as "filtered out" of that policy.
        current[0].submitted.increment();
        current[0].filteredOut.increment();
      } else {
        unrouted.increment();
      }
      return NotMirrored.FILTERED_OUT;
    } catch (RuntimeException | Error e) {
      outcomes.internalError("deciding", e);
      return NotMirrored.ERROR;
    }
  }

  private PolicyRuntime named(PolicyRuntime[] policies, String policyName) {
    for (PolicyRuntime policy : policies) {
      if (policy.policy.name().equals(policyName)) {
        return policy;
      }
    }
    List<String> names = new ArrayList<>();
    for (PolicyRuntime policy : policies) {
      names.add(policy.policy.name());
    }
    outcomes.internalError("no policy named " + policyName, new IllegalArgumentException(
        "policy: was " + policyName + ", must be one of " + names));
    return null;
  }

  private static PolicyRuntime route(PolicyRuntime[] policies, RequestView request) {
    for (PolicyRuntime policy : policies) {
      if (policy.policy.filter().takes(request)) {
        return policy;
      }
    }
    return null;
  }

  private Decision decide(PolicyRuntime runtime, RequestView request) {
    MirrorPolicy policy = runtime.policy;
    runtime.submitted.increment();
    if (!policy.enabled() || !policy.filter().accepts(request)) {
      runtime.filteredOut.increment();
      return NotMirrored.FILTERED_OUT;
    }
    String marker = request.header(policy.markerHeader());
    if (marker != null) {
      if (loopMarker.isProven(marker)) {
        if (!loopMarker.proves()) {
          markerUnproven(policy, false);
        }
        for (TargetChannel channel : runtime.channels) {
          if (!channel.deadLetterOnly) {
            outcomes.dropped(channel, DropReason.LOOP);
          }
        }
        return NotMirrored.LOOP;
      }
      // A marker from outside the fleet: the request is mirrored like any other.
      runtime.unprovenMarkers.increment();
      markerUnproven(policy, true);
    }
    if (!sample(policy.sampler(), request)) {
      runtime.sampledOut.increment();
      return NotMirrored.SAMPLED_OUT;
    }
    TargetChannel[] channels = runtime.channels;
    TargetChannel[] reserved = null;
    int count = 0;
    List<SubmitResult.TargetResult> skipped = null;
    DropReason firstDrop = null;
    for (int i = 0; i < channels.length; i++) {
      TargetChannel channel = channels[i];
      DropReason drop;
      if (channel.deadLetterOnly) {
        continue; // a dead letter takes only the copies other targets could not deliver
      }
      if (!sample(channel.target.sampler(), request)) {
        channel.sampledOut.increment();
        drop = null;
      } else if ((drop = channel.tryReserve()) == null
          || (drop == DropReason.QUEUE_FULL && reclaimLostReservations()
              && (drop = channel.tryReserve()) == null)) {
        if (reserved == null) {
          reserved = new TargetChannel[channels.length - i];
        }
        reserved[count++] = channel;
        continue;
      } else {
        outcomes.dropped(channel, drop);
        firstDrop = firstDrop == null ? drop : firstDrop;
      }
      if (reserved != null || channels.length > 1) {
        if (skipped == null) {
          skipped = new ArrayList<>(channels.length);
        }
        skipped.add(drop == null
            ? new SubmitResult.TargetResult(channel.target.name(), Outcome.SAMPLED_OUT, null)
            : new SubmitResult.TargetResult(channel.target.name(), Outcome.DROPPED, drop));
      }
    }
    if (count == 0) {
      return firstDrop == null ? NotMirrored.SAMPLED_OUT : NotMirrored.dropped(firstDrop);
    }
    inFlight.enter(count);
    TargetChannel[] exact = count == reserved.length ? reserved : Arrays.copyOf(reserved, count);
    Reservation reservation = new Reservation(runtime, exact,
        skipped == null ? List.of() : skipped, lostReservations);
    reclaimLostReservations();
    return reservation;
  }

  /**
   * A safety net for entry points that lose a decision (an exception path no filter sees): the
   * room of a decision that became garbage unsettled comes back, counted as {@link
   * DropReason#ERROR}. Checked without a thread: after each decision to mirror, and when a target
   * is full (lost decisions could be what fills it). Returns true if any room came back.
   */
  boolean reclaimLostReservations() {
    boolean reclaimed = false;
    Reservation.Guard lost;
    while ((lost = lostReservations.poll()) != null) {
      if (lost.settle()) {
        reclaimed = true;
        lost.releaseCaptured();
        for (TargetChannel channel : lost.channels) {
          outcomes.giveBack(channel, DropReason.ERROR);
        }
      }
    }
    return reclaimed;
  }

  /**
   * Says, at most once a minute per policy, that a marker could not be proven: with a secret,
   * the request carrying it was mirrored all the same; without one, it was taken for a copy,
   * which a client may use to keep its requests out of mirroring.
   */
  private void markerUnproven(MirrorPolicy policy, boolean secret) {
    Long heldBack = markerLog.pass(policy.name());
    if (heldBack == null) {
      return;
    }
    String more = heldBack > 0 ? " (" + heldBack + " more since the last line)" : "";
    if (secret) {
      LOG.warn("mirror policy {}: a request carried {} without a valid proof: mirrored like any"
          + " other, counted in unprovenMarkers{}", policy.name(), policy.markerHeader(), more);
    } else {
      LOG.info("mirror policy {}: a request carrying {} was taken for a copy and not mirrored"
          + "{}; without mirror.marker-secret any client can send it to stay unmirrored",
          policy.name(), policy.markerHeader(), more);
    }
  }

  private boolean sample(Sampler sampler, RequestView request) {
    try {
      return sampler.sample(request);
    } catch (RuntimeException e) {
      outcomes.internalError("a sampler threw", e);
      return false;
    }
  }
}
