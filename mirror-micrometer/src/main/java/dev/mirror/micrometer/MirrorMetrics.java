package dev.mirror.micrometer;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.stats.TargetStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters over a {@link MirrorEngine}'s stats, as the seed article asks ("auto-scale on
 * the drop metric", "monitor the mirror's effect"). Bind it like any binder: {@code new
 * MirrorMetrics(engine).bindTo(registry)}.
 *
 * <ul>
 *   <li>{@code mirror.requests} (counter), tags {@code policy}, {@code result} = {@code
 *       sampled_out} | {@code filtered_out} | {@code offered}: what each policy did with the
 *       requests it took.
 *   <li>{@code mirror.copies} (counter), tags {@code policy}, {@code target}, {@code result} =
 *       {@code sent} | {@code failed} | {@code dropped} | {@code sampled_out}, {@code reason} (a
 *       drop or failure reason in lower case, {@code none} otherwise): how each copy ended.
 *   <li>{@code mirror.copy.latency} (timer), tags {@code policy}, {@code target}: answered and
 *       failed copies; {@code mirror.sync.wait} (timer): what synchronous mode made requests wait.
 *   <li>{@code mirror.copies.in.flight}, {@code mirror.copies.in.flight.max} and {@code
 *       mirror.circuit.open} (gauges), tags {@code policy}, {@code target}.
 * </ul>
 *
 * <p>No tag holds a path, an id or anything else of unbounded cardinality. Meters are made for the
 * policies and targets in force when bound; bind again after a reconfiguration that adds some.
 * Reading every meter of a scrape reads the engine's stats once: a snapshot is kept for {@code
 * maxAge} (one second by default).
 */
public final class MirrorMetrics implements MeterBinder {

  private final MirrorEngine engine;
  private final long maxAgeNanos;
  private volatile MirrorStats snapshot;
  private volatile long takenNanos;

  /** Meters over this engine, its stats read at most once a second. */
  public MirrorMetrics(MirrorEngine engine) {
    this(engine, Duration.ofSeconds(1));
  }

  /** Meters over this engine, its stats read again when older than {@code maxAge}. */
  public MirrorMetrics(MirrorEngine engine, Duration maxAge) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.maxAgeNanos = Objects.requireNonNull(maxAge, "maxAge").toNanos();
  }

  private MirrorStats stats() {
    MirrorStats current = snapshot;
    long now = System.nanoTime();
    if (current == null || now - takenNanos >= maxAgeNanos) {
      current = engine.stats();
      snapshot = current;
      takenNanos = now;
    }
    return current;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("mirror.config.version", engine, MirrorEngine::configVersion)
        .description("The configuration version this engine runs: the control store's version"
            + " (a Kafka offset), or changes since start without one; -1 for the start-up"
            + " configuration")
        .register(registry);
    FunctionCounter.builder("mirror.config.refused", engine, e -> e.controlState().refused())
        .description("Changes this engine could not apply (a store record or a watched file that"
            + " did not validate here); it kept its last good configuration")
        .register(registry);
    for (MirrorPolicy policy : engine.policies()) {
      String p = policy.name();
      requests(registry, p, "sampled_out", PolicyStats::sampledOut);
      requests(registry, p, "filtered_out", PolicyStats::filteredOut);
      requests(registry, p, "offered", PolicyStats::offered);
      for (MirrorTarget target : policy.targets()) {
        bindTarget(registry, p, target);
      }
    }
  }

  private void requests(MeterRegistry registry, String policy, String result,
      ToDoubleFunction<PolicyStats> count) {
    FunctionCounter.builder("mirror.requests", this, m -> {
      PolicyStats stats = m.policyStats(policy);
      return stats == null ? 0 : count.applyAsDouble(stats);
    }).tags(Tags.of("policy", policy, "result", result))
        .description("Requests a policy took, by what it did with them")
        .register(registry);
  }

  private void bindTarget(MeterRegistry registry, String policy, MirrorTarget target) {
    String t = target.name();
    Tags tags = Tags.of("policy", policy, "target", t);
    copies(registry, policy, t, "sent", "none", TargetStats::sent);
    copies(registry, policy, t, "sampled_out", "none", TargetStats::sampledOut);
    for (DropReason reason : DropReason.values()) {
      copies(registry, policy, t, "dropped", lower(reason), s -> s.dropped(reason));
    }
    for (FailureReason reason : FailureReason.values()) {
      copies(registry, policy, t, "failed", lower(reason), s -> s.failed(reason));
    }
    FunctionTimer.builder("mirror.copy.latency", this,
            m -> (long) count(m, policy, t, s -> s.latency().count()),
            m -> count(m, policy, t, s -> s.latency().totalNanos()), TimeUnit.NANOSECONDS)
        .tags(tags).description("Time from sending a copy to its answer or failure")
        .register(registry);
    for (double quantile : new double[] {0.5, 0.9, 0.99}) {
      io.micrometer.core.instrument.TimeGauge.builder("mirror.copy.latency.percentile", this,
              TimeUnit.MILLISECONDS,
              m -> count(m, policy, t, s -> s.latency().quantileMillis(quantile)))
          .tags(tags.and("quantile", String.valueOf(quantile)))
          .description("Copy latency at this quantile since the engine started (HdrHistogram,"
              + " within 1 %)")
          .register(registry);
    }
    FunctionTimer.builder("mirror.sync.wait", this,
            m -> (long) count(m, policy, t, s -> s.waited().count()),
            m -> count(m, policy, t, s -> s.waited().totalNanos()), TimeUnit.NANOSECONDS)
        .tags(tags).description("Time synchronous requests waited for their copies")
        .register(registry);
    Gauge.builder("mirror.copies.in.flight", this,
            m -> count(m, policy, t, TargetStats::inFlight))
        .tags(tags).description("Copies held now, queued or sending").register(registry);
    Gauge.builder("mirror.copies.in.flight.max", target, MirrorTarget::maxInFlight)
        .tags(tags).description("The target's cap on copies held").register(registry);
    retries(registry, policy, t, "scheduled", s -> s.retries().scheduled());
    retries(registry, policy, t, "exhausted", s -> s.retries().exhausted());
    retries(registry, policy, t, "refused", s -> s.retries().refused());
    Gauge.builder("mirror.copy.retries.pending", this,
            m -> count(m, policy, t, s -> s.retries().pending()))
        .tags(tags).description("Copies waiting for a retry now (counted in flight)")
        .register(registry);
    Gauge.builder("mirror.circuit.open", this,
            m -> count(m, policy, t, s -> s.circuitOpen() ? 1 : 0))
        .tags(tags).description("1 while the target's circuit is open").register(registry);
  }

  private void copies(MeterRegistry registry, String policy, String target, String result,
      String reason, ToDoubleFunction<TargetStats> count) {
    FunctionCounter.builder("mirror.copies", this, m -> count(m, policy, target, count))
        .tags(Tags.of("policy", policy, "target", target, "result", result, "reason", reason))
        .description("Copies by how they ended").register(registry);
  }

  private void retries(MeterRegistry registry, String policy, String target, String result,
      ToDoubleFunction<TargetStats> count) {
    FunctionCounter.builder("mirror.copy.retries", this, m -> count(m, policy, target, count))
        .tags(Tags.of("policy", policy, "target", target, "result", result))
        .description("Retries of copies: scheduled, and copies that ended failed with every"
            + " retry used (exhausted) or with no room to wait (refused)")
        .register(registry);
  }

  private static double count(MirrorMetrics metrics, String policy, String target,
      ToDoubleFunction<TargetStats> count) {
    PolicyStats stats = metrics.policyStats(policy);
    if (stats == null) {
      return 0;
    }
    try {
      return count.applyAsDouble(stats.target(target));
    } catch (NoSuchElementException gone) {
      return 0; // the target left in a reconfiguration; its meter stays at rest
    }
  }

  private PolicyStats policyStats(String policy) {
    try {
      return stats().policy(policy);
    } catch (NoSuchElementException gone) {
      return null;
    }
  }

  private static String lower(Enum<?> reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }
}
