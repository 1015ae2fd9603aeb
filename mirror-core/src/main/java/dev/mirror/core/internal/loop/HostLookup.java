package dev.mirror.core.internal.loop;

import dev.mirror.core.internal.NamedDaemonThreads;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Looks up shadows' host names for the senders' event loops, which must never block on one:
 * on one thread ({@code mirror-dns}) while there are look-ups, none a second after the last (no
 * thread outlives the engines that used it for long).
 */
public final class HostLookup {

  private static final ExecutorService RESOLVER = new ThreadPoolExecutor(0, 1, 1,
      TimeUnit.SECONDS, new LinkedBlockingQueue<>(), new NamedDaemonThreads("mirror-dns"));

  private HostLookup() {}

  /**
   * Looks {@code host} up off the loop, then calls {@code found} on the loop with its addresses,
   * or with null if it has none. Nothing is called if the loop closed meanwhile.
   *
   * @return false if the look-up could not be started
   */
  public static boolean lookUp(String host, Executor loop, Consumer<InetAddress[]> found) {
    try {
      RESOLVER.execute(() -> {
        InetAddress[] addresses;
        try {
          addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException | RuntimeException e) {
          addresses = null;
        }
        InetAddress[] result = addresses;
        try {
          loop.execute(() -> found.accept(result));
        } catch (RejectedExecutionException e) {
          // the transport closed meanwhile: what waited was failed by the close
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** True for an IPv6 literal or a dotted-quad IPv4 address, which need no look-up. */
  public static boolean isLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // IPv6
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3) {
        return false;
      }
      for (int i = 0; i < part.length(); i++) {
        if (part.charAt(i) < '0' || part.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
