package dev.mirror.core.replay;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.stats.TargetStats;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the replayers share (files with {@code mirror-capture}, a Kafka topic with {@code
 * mirror-kafka}): an engine made from {@code mirror.*} keys that sends recorded requests to one
 * target through the same transports as live copies, waiting while the target's {@code
 * max-in-flight} is full instead of dropping, and the report at the end.
 */
public final class Replay implements AutoCloseable {

  /**
   * What a replay did.
   *
   * @param records records read
   * @param skipped records the method and path filters left out
   * @param sent copies that got an answer
   * @param failed failures by reason
   * @param dropped copies dropped (their reasons in the engine's stats)
   * @param p50Millis upper bound of the median latency
   * @param p90Millis upper bound of the 90th percentile
   * @param p99Millis upper bound of the 99th percentile
   * @param duration how long the replay took
   */
  public record Report(long records, long skipped, long sent, Map<FailureReason, Long> failed,
      long dropped, long p50Millis, long p90Millis, long p99Millis, Duration duration) {

    /** Copies. */
    public Report {
      failed = Map.copyOf(failed);
    }

    /** Failures of every reason. */
    public long failedTotal() {
      return failed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The report in three lines: what, how many, how fast. */
    public String describe(String from, String to) {
      return String.format(Locale.ROOT, "Replayed %,d records from %s to %s in %.1f s:%n"
          + "  sent %,d, failed %,d%s, dropped %,d, skipped by filters %,d%n  latency: %s", records,
          from, to, duration.toMillis() / 1000.0, sent, failedTotal(),
          failed.isEmpty() ? "" : " " + failed, dropped, skipped, sent == 0 ? "none (no answer)"
              : String.format(Locale.ROOT, "p50 <= %d ms, p90 <= %d ms, p99 <= %d ms", p50Millis,
                  p90Millis, p99Millis));
    }
  }

  private final MirrorEngine engine;
  private final String marker;
  private final long started = System.nanoTime();
  private long records;
  private long skipped;

  private Replay(MirrorEngine engine) {
    this.engine = engine;
    this.marker = engine.policies().get(0).markerHeader();
  }

  /**
   * A replay to {@code mirror.host} and the other keys given (filters, timeouts, TLS); bodies up
   * to 64 MiB unless {@code mirror.max-body-bytes} says otherwise.
   *
   * @throws MirrorConfigException naming the key, for a bad configuration
   */
  public static Replay of(Map<String, String> keys) {
    Map<String, String> all = new java.util.LinkedHashMap<>();
    all.put("mirror.max-body-bytes", String.valueOf(64 * 1024 * 1024));
    all.putAll(keys);
    return new Replay(MirrorConfig.parse(all).newEngine());
  }

  /**
   * Sends one recorded request (its old marker header removed, so it is not taken for a loop),
   * waiting while the target is full. Returns false if the filters left it out.
   */
  public boolean send(MirroredRequest recorded) {
    records++;
    MirroredRequest request = recorded.headers().contains(marker)
        ? MirroredRequest.builder().method(recorded.method()).rawTarget(recorded.rawTarget())
            .headers(recorded.headers().toBuilder().removeAll(marker).build())
            .body(recorded.body()).build()
        : recorded;
    while (true) {
      SubmitResult result = engine.submit(request);
      if (result.outcome() == Outcome.ACCEPTED) {
        return true;
      }
      if (result.outcome() != Outcome.DROPPED || result.dropReason() != DropReason.QUEUE_FULL) {
        if (result.outcome() == Outcome.FILTERED_OUT) {
          skipped++;
          return false;
        }
        return true;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(1); // the target's max-in-flight is full: let it drain
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
  }

  /** Waits, at most {@code limit}, until no copy is in flight: all sent or failed. */
  public boolean awaitSent(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (stats().inFlight() > 0) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(1); // polling the engine's count, within the deadline
    }
    return true;
  }

  /** The target's counts so far. */
  public TargetStats stats() {
    return engine.stats().targets().get(0);
  }

  /** Records read so far. */
  public long records() {
    return records;
  }

  /** Waits for the copies in flight ({@code mirror.close-timeout}), then reports. */
  public Report finish() {
    engine.close();
    TargetStats stats = stats();
    Map<FailureReason, Long> failed = new EnumMap<>(FailureReason.class);
    stats.failed().forEach((reason, n) -> {
      if (n > 0) {
        failed.put(reason, n);
      }
    });
    return new Report(records, skipped, stats.sent(), failed, stats.droppedTotal(),
        stats.latency().quantileUpperBoundMillis(0.5),
        stats.latency().quantileUpperBoundMillis(0.9),
        stats.latency().quantileUpperBoundMillis(0.99),
        Duration.ofNanos(System.nanoTime() - started));
  }

  @Override
  public void close() {
    engine.close();
  }
}
