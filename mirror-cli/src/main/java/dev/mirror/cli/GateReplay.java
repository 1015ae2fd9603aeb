package dev.mirror.cli;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirrorTransportProvider;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Observation;
import dev.mirror.api.Outcome;
import dev.mirror.api.SubmitResult;
import dev.mirror.capture.CaptureRecord;
import dev.mirror.capture.Replayer;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.replay.Replay;
import dev.mirror.core.stats.ComparisonReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Replays a capture to a candidate and a baseline (and a second baseline) through one engine,
 * and compares the answers with the library's comparison: the engine sends every record to the
 * three targets, the baseline's answer is handed over as the primary's ({@link PrimaryTap}), the
 * candidate is compared with it, and the second baseline is the comparison's {@code baseline}
 * (Diffy's noise cancelling: a field the two baselines disagree on as often is noise).
 *
 * <p>Bounded whatever the capture's size: the capture is read line by line; at most {@link
 * #WINDOW} requests wait for their baseline answer and at most {@link #WINDOW} compared pairs
 * wait for the comparison thread, each wait bounded by the comparison's timeout; the comparison
 * state is the engine's (pairing cache, and its ledger capped in endpoints, fields and samples).
 * A target that falls over is counted (its circuit opens, its copies fail or drop), not waited
 * for.
 */
final class GateReplay {

  /** Requests in flight (answers or comparisons awaited) at most: {@value}. */
  static final int WINDOW = 2_048;

  /**
   * Failures in a row (none answered since) after which a target is taken for down, and the
   * replay stops: {@value}. From the start or halfway through: a target that falls over is
   * counted, not waited for request after request.
   */
  static final int DEAD_AFTER = 500;

  /** Per target: its answers and failures when it last answered. */
  private final Map<String, long[]> lastAnswered = new java.util.HashMap<>();

  /** Added to the targets' longest connect plus read timeout to wait for a pair's answers. */
  private static final Duration ANSWER_MARGIN = Duration.ofSeconds(2);

  private final GateSettings settings;
  private final Map<String, Decision> awaitingBaseline = new ConcurrentHashMap<>();
  private MirrorEngine engine;
  private Duration compareTimeout;
  private long compares;

  GateReplay(GateSettings settings) {
    this.settings = settings;
  }

  /** The engine's keys: three targets, the candidate compared, the second baseline for noise. */
  Map<String, String> keys() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.max-body-bytes", String.valueOf(64 * 1024 * 1024));
    keys.put("mirror.targets", GateSettings.BASELINE + "," + GateSettings.CANDIDATE
        + (settings.baseline2() == null ? "" : "," + GateSettings.BASELINE2));
    keys.put("mirror.target." + GateSettings.BASELINE + ".host", settings.baseline());
    keys.put("mirror.target." + GateSettings.CANDIDATE + ".host", settings.candidate());
    keys.put("mirror.target." + GateSettings.CANDIDATE + ".compare", "true");
    if (settings.baseline2() != null) {
      keys.put("mirror.target." + GateSettings.BASELINE2 + ".host", settings.baseline2());
      keys.put("mirror.compare.baseline", GateSettings.BASELINE2);
    }
    // Every request goes to every target, so that every pair is compared or counted missing:
    // room for the window at each target, and no circuit that would leave a target out (a
    // target that stops answering stops the replay instead: see DEAD_AFTER).
    keys.put("mirror.max-in-flight", String.valueOf(4 * WINDOW));
    keys.put("mirror.max-in-flight-bytes", String.valueOf(64 * 1024 * 1024));
    keys.put("mirror.circuit.failure-threshold", "1000000");
    if (!settings.methods().isEmpty()) {
      keys.put("mirror.methods", String.join(",", settings.methods()));
    }
    if (!settings.paths().isEmpty()) {
      keys.put("mirror.include-paths", String.join(",", settings.paths()));
    }
    if (settings.host() != null) {
      keys.put("mirror.host-header", settings.host());
    }
    keys.putAll(settings.keys());
    return keys;
  }

  /**
   * Replays the capture and compares.
   *
   * @throws MirrorConfigException naming the key, for a bad address or key
   * @throws IOException if the capture cannot be read (a bad line names its file and line)
   */
  GateResult run(Replayer.Progress progress) throws IOException, InterruptedException {
    List<Path> files = Replayer.files(settings.from());
    long total = count(files);
    MirrorConfig config = withCompareTimeout(MirrorConfig.parse(keys()));
    MirrorPolicy policy = config.policies().get(0);
    compareTimeout = policy.comparison().timeout();
    MirrorTransport transport = new PrimaryTap(transport(config, keys()), GateSettings.BASELINE,
        policy.comparison().maxBodyBytes(), this::baselineAnswered);
    long started = System.nanoTime();
    long records = 0;
    long skipped = 0;
    long notSent = 0;
    try {
      engine = MirrorEngine.builder().policies(config.policies())
          .dispatchThreads(config.dispatchThreads()).closeTimeout(config.closeTimeout())
          .transport(transport).build();
      String marker = policy.markerHeader();
      long lastShown = 0;
      reading:
      for (Path file : files) {
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          String line;
          int number = 0;
          while ((line = lines.readLine()) != null) {
            if (records % 256 == 255 && aTargetIsDown()) {
              break reading; // counted: the verdict names the target that answered nothing
            }
            number++;
            if (line.isBlank()) {
              continue;
            }
            CaptureRecord record;
            try {
              record = CaptureRecord.parse(line);
            } catch (IOException e) {
              throw new IOException(file + ":" + number + ": not a capture record: "
                  + e.getMessage(), e);
            }
            records++;
            pace(started, records);
            MirroredRequest request = Replay.asRecorded(MirroredRequest.builder()
                .id("g" + Long.toHexString(records)).method(record.method())
                .rawTarget(record.uri()).headers(record.headers()).body(record.body()).build(),
                marker);
            Outcome sent = send(request);
            if (sent == Outcome.FILTERED_OUT) {
              skipped++;
            } else if (sent != Outcome.ACCEPTED) {
              notSent++;
            }
            if (progress != null && System.nanoTime() - lastShown > 200_000_000L) {
              lastShown = System.nanoTime();
              progress.show(records, total, engine.stats().target(GateSettings.CANDIDATE));
            }
          }
        }
      }
      settle(0, compares);
      ComparisonReport report = engine.comparisons();
      engine.close();
      if (progress != null) {
        progress.show(records, total, engine.stats().target(GateSettings.CANDIDATE));
        progress.done();
      }
      return new GateResult(records, skipped, notSent, report,
          engine.stats().target(GateSettings.CANDIDATE),
          engine.stats().target(GateSettings.BASELINE),
          settings.baseline2() == null ? null : engine.stats().target(GateSettings.BASELINE2),
          Duration.ofNanos(System.nanoTime() - started));
    } finally {
      if (engine != null) {
        engine.close();
      }
      transport.close();
    }
  }

  /**
   * Unless {@code mirror.compare.timeout} is given, a pair waits for its answers as long as the
   * slowest target may take (connect plus read timeout) and {@link #ANSWER_MARGIN}: every answer
   * or failure is in by then, so what is still missing was never sent.
   */
  private MirrorConfig withCompareTimeout(MirrorConfig parsed) {
    if (settings.keys().keySet().stream().anyMatch(k -> k.endsWith("compare.timeout"))) {
      return parsed;
    }
    Duration longest = Duration.ZERO;
    for (var target : parsed.policies().get(0).targets()) {
      Duration answer = target.connectTimeout().plus(target.readTimeout());
      longest = answer.compareTo(longest) > 0 ? answer : longest;
    }
    Map<String, String> keys = keys();
    keys.put("mirror.compare.timeout", longest.plus(ANSWER_MARGIN).toMillis() + "ms");
    return MirrorConfig.parse(keys);
  }

  /** True if a target failed {@link #DEAD_AFTER} times since it last answered (or ever). */
  private boolean aTargetIsDown() {
    for (var target : engine.stats().policies().get(0).targets()) {
      long[] last = lastAnswered.computeIfAbsent(target.target(), name -> new long[2]);
      if (target.sent() != last[0]) {
        last[0] = target.sent();
        last[1] = target.failedTotal();
      } else if (target.failedTotal() - last[1] >= DEAD_AFTER) {
        return true;
      }
    }
    return false;
  }

  /** The transport the configuration names, made as the engine would make it. */
  private static MirrorTransport transport(MirrorConfig config, Map<String, String> keys) {
    String name = config.transport();
    String prefix = "mirror." + name + ".";
    Map<String, String> settings = new LinkedHashMap<>();
    keys.forEach((key, value) -> {
      if (key.startsWith(prefix)) {
        settings.put(key.substring(prefix.length()), value);
      }
    });
    for (MirrorTransportProvider provider : ServiceLoader.load(MirrorTransportProvider.class)) {
      if (provider.name().equals(name)) {
        return provider.create(settings);
      }
    }
    throw new MirrorConfigException("mirror.transport", name, "a transport on the class path");
  }

  /** Sends one request to the three targets, waiting while one of them is full. */
  private Outcome send(MirroredRequest request) throws InterruptedException {
    long deadline = System.nanoTime() + compareTimeout.toNanos();
    while (true) {
      Decision decision = engine.decide(request);
      if (decision.mirrored()) {
        if (decision.compares()) {
          compares++;
          awaitingBaseline.put(request.id(), decision);
        }
        SubmitResult result = engine.submit(decision, request);
        if (result.outcome() != Outcome.ACCEPTED) {
          awaitingBaseline.remove(request.id());
        }
        return result.outcome();
      }
      SubmitResult result = decision.result();
      boolean full = result.outcome() == Outcome.DROPPED
          && result.dropReason() == DropReason.QUEUE_FULL;
      if (!full || System.nanoTime() - deadline > 0) {
        return result.outcome();
      }
      TimeUnit.MILLISECONDS.sleep(1); // a target's max-in-flight is full: let it drain
    }
  }

  /** The baseline answered (or failed): its answer is the primary's. */
  private void baselineAnswered(String requestId, Observation answer) {
    int proof = requestId.indexOf('.'); // with a marker secret, the id carries its proof
    Decision decision = awaitingBaseline.remove(proof < 0 ? requestId
        : requestId.substring(0, proof));
    if (decision != null) {
      engine.answered(decision, answer);
    }
  }

  /** Every WINDOW records, lets the targets and the comparison thread catch up. */
  private void pace(long started, long records) throws InterruptedException {
    if (settings.ratePerSecond() > 0) {
      long due = started + (long) ((records - 1) * 1e9 / settings.ratePerSecond());
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    if (awaitingBaseline.size() >= WINDOW || records % 256 == 0) {
      settle(WINDOW / 2, compares - WINDOW);
    }
  }

  /**
   * Waits, at most the comparison's timeout (and a second), until at most {@code awaiting}
   * requests wait for their baseline and at least {@code done} pairs were compared (or counted
   * missing, evicted, turned away). What still waits then is the engine's to count.
   */
  private void settle(int awaiting, long done) throws InterruptedException {
    long deadline = System.nanoTime() + compareTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
    while (System.nanoTime() - deadline < 0) {
      if (awaitingBaseline.size() <= awaiting && finished() >= done) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(2); // polling the engine's counts, within the deadline
    }
    awaitingBaseline.clear(); // their baseline copies were never sent: counted by the engine
  }

  /** Pairs the engine is done with: compared, ignored, missing, evicted or turned away. */
  private long finished() {
    ComparisonReport report = engine.comparisons();
    long done = report.turnedAway();
    for (ComparisonReport.PolicyReport policy : report.policies()) {
      done += policy.compared() + policy.ignored() + policy.shadowMissing()
          + policy.primaryMissing() + policy.evicted();
    }
    return done;
  }

  private static long count(List<Path> files) throws IOException {
    long total = 0;
    for (Path file : files) {
      try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
        total += lines.filter(l -> !l.isBlank()).count();
      }
    }
    return total;
  }
}
