package dev.mirror.capture;

import dev.mirror.api.MirroredRequest;
import dev.mirror.core.replay.Replay;
import dev.mirror.core.stats.TargetStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sends a capture (a file, or a directory of rotated files, in writing order) to a target through
 * the same engine and transport as live copies ({@link Replay}): at the recorded pace, a multiple
 * of it, or as fast as the target takes it (waiting, never dropping, when its {@code
 * max-in-flight} is full), with an optional rate cap, method and path filters and a {@code Host}
 * rewrite. A progress bar while it runs; at the end a report: sent, failed by reason, latency
 * percentiles.
 *
 * <p>From a clean checkout: {@code mvn -B -q -Preplay -DskipTests verify
 * -Dreplay.args="--from /var/log/mirror --to http://staging:8080 --speed 2"}.
 */
public final class Replayer {

  /**
   * What to replay and how.
   *
   * @param from a capture file or directory
   * @param to the target address
   * @param speed a multiple of the recorded pace (1 for recorded), or 0 for as fast as possible
   * @param ratePerSecond the most records sent per second, or 0 for no cap
   * @param methods methods replayed (empty: all)
   * @param paths path globs replayed (empty: all)
   * @param host the {@code Host} copies carry, or null for the recorded one
   * @param extra further {@code mirror.*} keys for the engine (timeouts, TLS, max-in-flight)
   */
  public record Options(Path from, String to, double speed, double ratePerSecond,
      List<String> methods, List<String> paths, String host, Map<String, String> extra) {}

  private Replayer() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = parse(String.join(" ", args).trim().split("\\s+"));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.println(USAGE);
      return;
    }
    Replay.Report report = replay(options, System.err);
    System.out.println(report.describe(options.from().toString(), options.to()));
    System.exit(report.failedTotal() + report.dropped() == 0 ? 0 : 1);
  }

  static final String USAGE = "Usage: --from <file or directory> --to <scheme://host:port>"
      + " [--speed recorded|max|<multiple>] [--rate <per second>] [--methods GET,POST]"
      + " [--paths /api/**] [--host <host[:port]>] [--set mirror.<key>=<value> ...]";

  /** Reads the command line; null for --help. */
  static Options parse(String[] args) {
    Path from = null;
    String to = null;
    double speed = 1;
    double rate = 0;
    List<String> methods = List.of();
    List<String> paths = List.of();
    String host = null;
    Map<String, String> extra = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.isBlank()) {
        continue;
      }
      if (arg.equals("--help")) {
        return null;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(arg + ": needs a value");
      }
      String value = args[++i];
      switch (arg) {
        case "--from" -> from = Path.of(value);
        case "--to" -> to = value;
        case "--speed" -> speed = switch (value) {
          case "recorded" -> 1;
          case "max" -> 0;
          default -> positive(arg, value.endsWith("x") ? value.substring(0, value.length() - 1)
              : value);
        };
        case "--rate" -> rate = positive(arg, value);
        case "--methods" -> methods = List.of(value.toUpperCase(Locale.ROOT).split(","));
        case "--paths" -> paths = List.of(value.split(","));
        case "--host" -> host = value;
        case "--set" -> {
          int eq = value.indexOf('=');
          if (!value.startsWith("mirror.") || eq < 0) {
            throw new IllegalArgumentException("--set: was " + value + ", must be mirror.<key>=<value>");
          }
          extra.put(value.substring(0, eq), value.substring(eq + 1));
        }
        default -> throw new IllegalArgumentException(arg + ": unknown option");
      }
    }
    if (from == null || to == null) {
      throw new IllegalArgumentException("--from and --to: both are needed");
    }
    return new Options(from, to, speed, rate, methods, paths, host, extra);
  }

  private static double positive(String option, String value) {
    try {
      double d = Double.parseDouble(value);
      if (d > 0 && d <= 1_000_000) {
        return d;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(option + ": was " + value + ", must be a number above 0");
  }

  /**
   * The capture files under {@code from}, in writing order: {@code from} itself if it is a file,
   * else its {@code *.ndjson} files by name.
   *
   * @throws IOException if the directory cannot be listed
   */
  public static List<Path> files(Path from) throws IOException {
    if (!Files.isDirectory(from)) {
      return List.of(from);
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(from, "*.ndjson")) {
      all.forEach(files::add);
    }
    files.sort(null);
    return files;
  }

  /**
   * Told how a replay goes, five times a second while it runs, on a thread of its own
   * ({@code mirror-replay-progress}).
   */
  @FunctionalInterface
  public interface Progress {

    /**
     * The replay so far.
     *
     * @param read records read
     * @param total records in the capture
     * @param target the target's counts (sent, failed, in flight)
     */
    void show(long read, long total, TargetStats target);

    /** The replay is over; called once, after a last {@link #show}. */
    default void done() {}
  }

  /**
   * Replays, drawing a progress bar on {@code progress} (null for none).
   *
   * @throws IOException if the capture cannot be read (a line that is not a record names its file
   *     and line)
   */
  public static Replay.Report replay(Options options, PrintStream progress) throws IOException {
    return replayWithProgress(options, progress == null ? null : new TerminalBar(progress));
  }

  /**
   * Replays, telling {@code progress} how it goes (null for nothing).
   *
   * @throws IOException if the capture cannot be read (a line that is not a record names its file
   *     and line)
   */
  public static Replay.Report replayWithProgress(Options options, Progress progress)
      throws IOException {
    List<Path> files = files(options.from());
    long total = 0;
    for (Path file : files) {
      try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
        total += lines.filter(l -> !l.isBlank()).count();
      }
    }
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.host", options.to());
    if (!options.methods().isEmpty()) {
      keys.put("mirror.methods", String.join(",", options.methods()));
    }
    if (!options.paths().isEmpty()) {
      keys.put("mirror.include-paths", String.join(",", options.paths()));
    }
    if (options.host() != null) {
      keys.put("mirror.host-header", options.host());
    }
    keys.putAll(options.extra());
    try (Replay replay = Replay.of(keys);
        ProgressBar bar = new ProgressBar(progress, total, replay)) {
      Instant firstTime = null;
      long paceStart = System.nanoTime();
      for (Path file : files) {
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          String line;
          int number = 0;
          while ((line = lines.readLine()) != null) {
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
            if (firstTime == null) {
              firstTime = record.time();
            }
            pace(options, firstTime, record.time(), paceStart, replay.records() + 1);
            replay.send(MirroredRequest.builder().method(record.method())
                .rawTarget(record.uri()).headers(record.headers()).body(record.body()).build());
          }
        }
      }
      return replay.finish();
    }
  }

  /** Waits for the record's turn: its recorded offset over the speed, and the rate cap. */
  private static void pace(Options options, Instant first, Instant time, long startNanos,
      long count) {
    long due = startNanos;
    if (options.speed() > 0) {
      due += (long) (Duration.between(first, time).toNanos() / options.speed());
    }
    if (options.ratePerSecond() > 0) {
      due = Math.max(due, startNanos + (long) ((count - 1) * 1e9 / options.ratePerSecond()));
    }
    long wait = due - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A bar on a terminal, redrawn in place from the engine's counts. */
  private static final class TerminalBar implements Progress {
    private final PrintStream out;

    TerminalBar(PrintStream out) {
      this.out = out;
    }

    @Override
    public void show(long read, long total, TargetStats t) {
      int width = 30;
      int done = total == 0 ? width : (int) (width * read / total);
      out.printf(Locale.ROOT, "\r[%s%s] %3d%% %,d/%,d  sent %,d  failed %,d  in flight %d ",
          "=".repeat(done), " ".repeat(width - done), total == 0 ? 100 : 100 * read / total, read,
          total, t.sent(), t.failedTotal(), t.inFlight());
    }

    @Override
    public void done() {
      out.println();
    }
  }

  /** Calls a {@link Progress} five times a second from the engine's counts. */
  private static final class ProgressBar implements AutoCloseable {
    private final Progress progress;
    private final Thread thread;
    private final long total;
    private final Replay replay;
    private volatile boolean running = true;

    ProgressBar(Progress progress, long total, Replay replay) {
      this.progress = progress;
      this.total = total;
      this.replay = replay;
      this.thread = new Thread(() -> {
        while (running) {
          progress.show(replay.records(), total, replay.stats());
          try {
            TimeUnit.MILLISECONDS.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "mirror-replay-progress");
      thread.setDaemon(true);
      if (progress != null) {
        thread.start();
      }
    }

    @Override
    public void close() {
      running = false;
      if (progress != null) {
        thread.interrupt();
        try {
          thread.join(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        progress.show(replay.records(), total, replay.stats());
        progress.done();
      }
    }
  }
}
