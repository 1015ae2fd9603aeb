package dev.mirror.cli;

import dev.mirror.capture.Replayer;
import dev.mirror.core.replay.Replay;
import dev.mirror.kafka.KafkaReplayer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mirror replay}: what {@code -Preplay} does ({@link Replayer}, same options), plus a
 * Kafka topic as the source ({@link KafkaReplayer}: one replica of a consumer group, offsets
 * committed once a batch's copies were sent). Progress on stderr, the report on stdout.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replays a capture (files or a Kafka topic) to a target.", "",
        "Sends a capture to a target through the library's engine and transport, at"
        + " the recorded pace, a multiple of it, or as fast as the target takes it (waiting while"
        + " its max-in-flight is full, never dropping), then reports: sent, failed by reason,"
        + " dropped, skipped by the filters, latency percentiles.",
        "From a topic (kafka://...), it runs as one replica of the consumer group --group (start"
            + " several with the same group to share the partitions) and commits a batch's"
            + " offsets once its copies were sent, until interrupted (Ctrl-C, SIGTERM),"
            + " --idle-exit or --max-records."})
final class ReplayCommand implements Callable<Integer> {

  /** How long a topic's brokers have to answer before the replay starts. */
  static final Duration BROKER_CHECK = Duration.ofSeconds(10);

  @Option(names = "--from", required = true, paramLabel = "<dir|file|kafka://host:port/topic>",
      description = "a capture file, a directory of them (its *.ndjson in writing order), or a"
          + " topic: kafka://host:port[,host:port]/topic")
  private String from;

  @Option(names = "--to", required = true, paramLabel = "<url>",
      description = "the target: http(s)://host[:port]")
  private String to;

  @Option(names = "--speed", paramLabel = "recorded|max|<multiple>", defaultValue = "recorded",
      description = "files: the recorded pace (default), a multiple of it (2, 0.5, 2x), or max"
          + " (as fast as the target takes it)")
  private String speed;

  @Option(names = "--rate", paramLabel = "<per second>",
      description = "the most records sent per second (a topic: per replica)")
  private Double rate;

  @Option(names = "--methods", split = ",", paramLabel = "GET,POST",
      description = "methods replayed (default all)")
  private List<String> methods = List.of();

  @Option(names = "--paths", split = ",", paramLabel = "/api/**",
      description = "path globs replayed (default all)")
  private List<String> paths = List.of();

  @Option(names = "--host", paramLabel = "<host[:port]>",
      description = "the Host header copies carry (default the recorded one)")
  private String host;

  @Option(names = "--group", paramLabel = "<name>", defaultValue = "mirror-replay",
      description = "a topic: the consumer group the replicas share (default ${DEFAULT-VALUE})")
  private String group;

  @Option(names = "--consumer", paramLabel = "<key>=<value>",
      description = "a topic: a Kafka consumer setting, passed as it is; repeatable")
  private Map<String, String> consumer = new LinkedHashMap<>();

  @Option(names = "--idle-exit", paramLabel = "<duration>", converter = Durations.class,
      description = "a topic: stop once no record came for this long (10s, 2m); default: run"
          + " until interrupted")
  private Duration idleExit;

  @Option(names = "--max-records", paramLabel = "<n>",
      description = "a topic: stop after at least this many records (the last batch is"
          + " finished)")
  private Long maxRecords;

  @Option(names = "--no-progress", description = "no progress on stderr")
  private boolean noProgress;

  @Mixin
  private EngineKeys engineKeys;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (rate != null && !(rate > 0 && rate <= 1_000_000)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--rate: was " + rate + ", must be a number in (0, 1000000]");
    }
    Replay.Report report = KafkaSource.names(from) ? fromTopic(KafkaSource.parse("--from", from))
        : fromFiles();
    System.out.println(report.describe(from, to));
    return status(report);
  }

  /** 0 if every copy was answered; 3 if none was (the target is down); 1 otherwise. */
  static int status(Replay.Report report) {
    if (report.failedTotal() + report.dropped() == 0) {
      return ExitStatus.OK;
    }
    return report.sent() == 0 ? ExitStatus.RUNTIME_FAILURE : ExitStatus.THRESHOLD_CROSSED;
  }

  private Replay.Report fromFiles() throws IOException {
    for (String option : new String[] {"--idle-exit", "--max-records", "--consumer"}) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            option + ": applies to a topic (kafka://...), not to files");
      }
    }
    Replayer.Options options = new Replayer.Options(Path.of(from), to, speed(),
        rate == null ? 0 : rate, methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).toList(),
        paths, host, engineKeys.keys());
    return Replayer.replayWithProgress(options, noProgress ? null : ProgressLine.onStderr());
  }

  /** {@code recorded} is 1, {@code max} is 0 (as fast as possible), else a multiple above 0. */
  private double speed() {
    switch (speed) {
      case "recorded":
        return 1;
      case "max":
        return 0;
      default:
        String number = speed.endsWith("x") ? speed.substring(0, speed.length() - 1) : speed;
        try {
          double multiple = Double.parseDouble(number);
          if (multiple > 0 && multiple <= 1_000_000) {
            return multiple;
          }
        } catch (NumberFormatException e) {
          // the message below
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "--speed: was " + speed
            + ", must be recorded, max or a multiple above 0 (2, 0.5, 2x)");
    }
  }

  private Replay.Report fromTopic(KafkaSource source) throws IOException,
      InterruptedException {
    if (spec.commandLine().getParseResult().hasMatchedOption("--speed")) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--speed: applies to files (a topic keeps no pace), use --rate");
    }
    Map<String, String> keys = new LinkedHashMap<>();
    if (!methods.isEmpty()) {
      keys.put("mirror.methods", String.join(",", methods).toUpperCase(Locale.ROOT));
    }
    if (!paths.isEmpty()) {
      keys.put("mirror.include-paths", String.join(",", paths));
    }
    if (host != null) {
      keys.put("mirror.host-header", host);
    }
    keys.putAll(engineKeys.keys());
    source.check(consumer, BROKER_CHECK);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicLong lastRecord = new AtomicLong(System.nanoTime());
    AtomicLong records = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      interrupted.set(true);
      try {
        finished.await(30, TimeUnit.SECONDS); // the last batch is sent and committed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mirror-replay-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    ProgressLine progress = noProgress ? null : ProgressLine.onStderr();
    try {
      Replay.Report report = KafkaReplayer.run(new KafkaReplayer.Options(source.bootstrap(),
          source.topic(), group, to, rate == null ? 0 : rate, keys, consumer),
          () -> interrupted.get()
              || (maxRecords != null && records.get() >= maxRecords)
              || (idleExit != null && System.nanoTime() - lastRecord.get() > idleExit.toNanos()),
          (polled, replay) -> {
            records.set(replay.records());
            if (polled > 0) {
              lastRecord.set(System.nanoTime());
            }
            if (progress != null) {
              progress.show(replay.records(), -1, replay.stats());
            }
          });
      if (progress != null) {
        progress.done();
      }
      return report;
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it has what it waited for
      }
    }
  }
}
