package dev.mirror.core.replay;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.stats.TargetStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
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
   * @param p50Millis the median latency, in ms (HdrHistogram, within 1 %)
   * @param p90Millis the 90th percentile, in ms
   * @param p99Millis the 99th percentile, in ms
   * @param duration how long the replay took
   */
  public record Report(long records, long skipped, long sent, Map<FailureReason, Long> failed,
      long dropped, double p50Millis, double p90Millis, double p99Millis, Duration duration) {

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
              : String.format(Locale.ROOT, "p50 %s ms, p90 %s ms, p99 %s ms", millis(p50Millis),
                  millis(p90Millis), millis(p99Millis)));
    }

    /** A latency as people read it: three significant digits, at most. */
    static String millis(double millis) {
      return millis >= 100 ? String.format(Locale.ROOT, "%.0f", millis)
          : millis >= 10 ? String.format(Locale.ROOT, "%.1f", millis)
          : String.format(Locale.ROOT, "%.2f", millis);
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
   *
   * <p>A recorded copy's headers already hold what the engine added when it was made: its {@code
   * Host} and this hop of {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}. They go out as
   * recorded: the recorded {@code Host} (unless {@code mirror.host-header} says otherwise), the
   * forwarding headers with no hop added a second time.
   */
  public boolean send(MirroredRequest recorded) {
    records++;
    MirroredRequest request = asRecorded(recorded, marker);
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

  /**
   * The request that makes the engine send {@code recorded}'s headers as they were recorded: the
   * {@code Host} header becomes the request's host (when it was the client's), and the last hop
   * of {@code X-Forwarded-Proto} (and of {@code X-Forwarded-Host}, when it is that host) is taken
   * off the header and given as the request's scheme (and host), which the engine appends again;
   * the old marker header ({@code marker}) is removed. The request's {@code id} is kept. Public
   * for replayers that drive an engine of their own ({@code mirror gate}).
   *
   * @param recorded a request as a capture or a topic recorded it
   * @param marker the marker header's name ({@code MirrorPolicy#markerHeader()})
   */
  public static MirroredRequest asRecorded(MirroredRequest recorded, String marker) {
    Headers headers = recorded.headers();
    List<String> protos = hops(headers.values("X-Forwarded-Proto"));
    List<String> hosts = hops(headers.values("X-Forwarded-Host"));
    // The recorded Host is the client's when the engine had one (it then ends X-Forwarded-Host
    // too); without one, a copy went out with its capture target's own (a directory, a broker),
    // which means nothing to the replay target: that one's own is used then.
    String recordedHost = headers.first("Host");
    String host = recorded.host() != null ? recorded.host()
        : recordedHost != null && !hosts.isEmpty() && hosts.get(hosts.size() - 1)
            .equals(recordedHost) ? recordedHost : null;
    if (recordedHost == null && protos.isEmpty() && !headers.contains(marker)) {
      return recorded;
    }
    Headers.Builder kept = headers.toBuilder().removeAll(marker).removeAll("Host");
    String scheme = recorded.scheme();
    if (!protos.isEmpty()) {
      scheme = protos.remove(protos.size() - 1);
      kept.removeAll("X-Forwarded-Proto");
      if (!protos.isEmpty()) {
        kept.add("X-Forwarded-Proto", String.join(", ", protos));
      }
    }
    if (host != null && !hosts.isEmpty() && hosts.get(hosts.size() - 1).equals(host)) {
      hosts.remove(hosts.size() - 1);
      kept.removeAll("X-Forwarded-Host");
      if (!hosts.isEmpty()) {
        kept.add("X-Forwarded-Host", String.join(", ", hosts));
      }
    }
    return MirroredRequest.builder().id(recorded.id()).method(recorded.method()).scheme(scheme)
        .host(host)
        .rawTarget(recorded.rawTarget()).headers(kept.build()).body(recorded.body())
        .remoteAddress(recorded.remoteAddress()).build();
  }

  private static List<String> hops(List<String> values) {
    List<String> hops = new ArrayList<>();
    for (String value : values) {
      for (String hop : value.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    return hops;
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
        stats.latency().quantileMillis(0.5),
        stats.latency().quantileMillis(0.9),
        stats.latency().quantileMillis(0.99),
        Duration.ofNanos(System.nanoTime() - started));
  }

  @Override
  public void close() {
    engine.close();
  }
}
