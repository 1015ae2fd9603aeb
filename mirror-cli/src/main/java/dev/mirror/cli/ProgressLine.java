package dev.mirror.cli;

import dev.mirror.capture.Replayer;
import dev.mirror.core.stats.TargetStats;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A replay's progress on stderr: on a terminal ({@code System.console() != null}) one line
 * redrawn in place with a bar; otherwise (a CI log, a pipe) a plain line every {@link
 * #PLAIN_EVERY_SECONDS} seconds. No library: none that draws bars is served to this build.
 */
final class ProgressLine implements Replayer.Progress {

  /** Seconds between two plain lines when stderr is not a terminal: {@value}. */
  static final int PLAIN_EVERY_SECONDS = 5;

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private long lastPlain = System.nanoTime();
  private boolean drawn;

  ProgressLine(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** On stderr, redrawn in place if a person is watching. */
  static ProgressLine onStderr() {
    return new ProgressLine(System.err, System.console() != null);
  }

  /**
   * The replay so far.
   *
   * @param read records read
   * @param total records in the capture, or a negative number when unknown (a topic)
   * @param target the target's counts
   */
  @Override
  public synchronized void show(long read, long total, TargetStats target) {
    double seconds = (System.nanoTime() - started) / 1e9;
    String counts = String.format(Locale.ROOT, "%,d%s read, sent %,d, failed %,d, dropped %,d,"
        + " in flight %d, %,.0f/s", read, total >= 0 ? String.format(Locale.ROOT, "/%,d", total)
        : "", target.sent(), target.failedTotal(), target.droppedTotal(), target.inFlight(),
        seconds > 0 ? read / seconds : 0.0);
    if (terminal) {
      String bar = "";
      if (total >= 0) {
        int done = total == 0 ? WIDTH : (int) (WIDTH * Math.min(read, total) / total);
        bar = String.format(Locale.ROOT, "[%s%s] %3d%% ", "=".repeat(done),
            " ".repeat(WIDTH - done), total == 0 ? 100 : 100 * Math.min(read, total) / total);
      }
      out.print("\r" + bar + counts + "  ");
      out.flush();
      drawn = true;
    } else if (System.nanoTime() - lastPlain >= TimeUnit.SECONDS.toNanos(PLAIN_EVERY_SECONDS)) {
      lastPlain = System.nanoTime();
      out.println("progress: " + counts);
    }
  }

  @Override
  public synchronized void done() {
    if (drawn) {
      out.println();
    }
  }
}
