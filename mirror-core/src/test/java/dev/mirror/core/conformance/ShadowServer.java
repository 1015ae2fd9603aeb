package dev.mirror.core.conformance;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server we did not write, on 127.0.0.1 at an ephemeral port, whose handler follows
 * {@link Rules}. Every adapter records each request in its {@link VerifyingLedger} before
 * answering, and echoes the request's {@code X-Copy} in the answer.
 */
interface ShadowServer extends AutoCloseable {

  /** {@code http://127.0.0.1:PORT}. */
  String address();

  /** Stops the server (or kills its process). */
  @Override
  void close();

  /** How long {@code /slow} waits before answering, on the server's worker thread. */
  long SLOW_MILLIS = 600;
  /** The size of {@code /big}'s answer. */
  int BIG_BYTES = 256 * 1024;
  /** Every this many answers to {@code /close-every-5}, the server closes the connection. */
  int CLOSE_EVERY = 5;

  /** What a shadow answers: a 200 with this body, then, if {@code close}, closes. */
  record Reply(byte[] body, boolean close) {}

  /**
   * The behaviour all shadows share, chosen by path: {@code /slow} answers after {@link
   * #SLOW_MILLIS}; {@code /big} answers {@link #BIG_BYTES}; {@code /close-every-5} answers every
   * fifth time (counted across the server) with {@code Connection: close} and closes; anything
   * else answers {@code ok}. (The Node and Python scripts implement the same rules.)
   */
  final class Rules {
    private static final byte[] OK = {'o', 'k', '\n'};
    private static final byte[] BIG = filled(BIG_BYTES);

    private final VerifyingLedger ledger;
    private final AtomicInteger closing = new AtomicInteger();

    Rules(VerifyingLedger ledger) {
      this.ledger = ledger;
    }

    /**
     * Records the request in the ledger, waits on the calling (worker) thread if the path asks
     * for it, and says how to answer.
     */
    Reply serve(String copyId, String path) {
      ledger.record(copyId);
      switch (path) {
        case "/slow":
          try {
            Thread.sleep(SLOW_MILLIS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new Reply(OK, false);
        case "/big": return new Reply(BIG, false);
        case "/close-every-5":
          return new Reply(OK, closing.incrementAndGet() % CLOSE_EVERY == 0);
        default: return new Reply(OK, false);
      }
    }

    private static byte[] filled(int n) {
      byte[] b = new byte[n];
      Arrays.fill(b, (byte) 'x');
      return b;
    }
  }
}
