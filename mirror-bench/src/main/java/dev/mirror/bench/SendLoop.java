package dev.mirror.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed loop around one candidate: a fixed number of requests outstanding, each next one started
 * from the completion of the last (as a copy is), and a measured window after a warm-up. CPU is
 * this process's (so the shadow's own is not counted), per answered request; a request that ended
 * without an answer is counted apart, so that a client failing fast cannot look cheap.
 */
final class SendLoop {

  /** What one window measured. */
  record Window(double requestsPerSecond, double cpuMicrosPerRequest, long answered,
      long failed) {}

  private final Candidate candidate;
  private final LongAdder answered = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicLong next = new AtomicLong();
  /** Every chain's completion: it has no state of its own, so one serves them all. */
  private final Candidate.Completion chain = this::completed;
  private volatile boolean running = true;
  /** Counts the chains that ended once the window closed. */
  private final CountDownLatch stopped;

  private SendLoop(Candidate candidate, int outstanding) {
    this.candidate = candidate;
    this.stopped = new CountDownLatch(outstanding);
  }

  /**
   * Keeps {@code outstanding} requests out for {@code warmUpSeconds}, then measures the next
   * {@code seconds}, then lets the last answers come (up to 10 s) and stops. During the warm-up's
   * first second (its first half, if shorter) only {@code first} are out: a client that picks its
   * own number of connections opens them for that many and, once it pipelines, may put the rest
   * behind them rather than on new ones.
   */
  static Window measure(Candidate candidate, int first, int outstanding, int warmUpSeconds,
      int seconds) throws InterruptedException {
    if (first < 1 || first > outstanding) {
      throw new IllegalArgumentException("first: was " + first + ", must be in [1, "
          + outstanding + "]");
    }
    return new SendLoop(candidate, outstanding).run(first, outstanding, warmUpSeconds, seconds);
  }

  private Window run(int first, int outstanding, int warmUpSeconds, int seconds)
      throws InterruptedException {
    long rampMillis = Math.min(1_000, warmUpSeconds * 500L);
    for (int k = 0; k < outstanding; k++) {
      if (k == first) {
        TimeUnit.MILLISECONDS.sleep(rampMillis);
      }
      candidate.send(next.incrementAndGet(), chain);
    }
    TimeUnit.MILLISECONDS.sleep(warmUpSeconds * 1_000L - (first < outstanding ? rampMillis : 0));
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long answered0 = answered.sum();
    long failed0 = failed.sum();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    TimeUnit.SECONDS.sleep(seconds);
    long answered1 = answered.sum();
    long failed1 = failed.sum();
    long cpu1 = os.getProcessCpuTime();
    long t1 = System.nanoTime();
    running = false;
    stopped.await(10, TimeUnit.SECONDS);
    long count = answered1 - answered0;
    return new Window(count / ((t1 - t0) / 1e9), (cpu1 - cpu0) / 1e3 / count, count,
        failed1 - failed0);
  }

  private void completed(boolean ok) {
    (ok ? answered : failed).increment();
    if (running) {
      candidate.send(next.incrementAndGet(), chain);
    } else {
      stopped.countDown();
    }
  }
}
