package dev.mirror.bench;

import dev.mirror.core.transport.NioHttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One HTTP/1.1 sender in one configuration, alone in its JVM (bench/sender-compare.sh runs each in
 * a fresh one, in turn): candidate {@code nio} (mirror's default transport), {@code netty}
 * ({@link NettyHttp1Candidate}) or {@code apache} (HttpClient 5's minimal client, {@link
 * ApacheMinimalCandidate}); pipelining on or off; request shape {@code get}, {@code post1k} or
 * {@code tls} ({@link RequestShape}). Prints one line: {@code result candidate=… pipelining=…
 * shape=… req/s=… cpu-us-per-request=… answered=… failed=… open-connections=…}.
 *
 * <p>The same load for all: {@code connections} connections (16) and, with pipelining, {@code
 * in-flight} requests (64) out at all times, so that there is something to pipeline. Without
 * pipelining at most one request is out per connection: the loop keeps {@code connections} out.
 * The other {@code in-flight - connections} would only wait for a free connection, and in a closed
 * loop that counts no latency each answer frees a connection and starts one request either way, so
 * they change nothing measured here. The warm-up's first second runs with {@code connections} out
 * ({@link SendLoop}).
 *
 * <p>Netty and HttpClient open exactly {@code connections}. Mirror's sender ({@code
 * NioHttpTransport.create(1, pipelining, connections)}, as {@code mirror.max-connections}) opens
 * at most {@code connections}; with pipelining it decides how to use them: it pipelines idempotent
 * requests only (never a POST), once a connection has carried 100 answers, up to 16 deep, never
 * behind an answer already late (5 ms at least), and not for 10 s after a slow one (250 ms with
 * the default read timeout); a request it may not pipeline waits for a free connection. {@code
 * open-connections}: the connections to the shadow's port at the end of the window (from {@code
 * /proc/net/tcp}; -1 where there is none).
 *
 * <p>Usage: {@code SenderComparison candidate=nio pipelining=on shape=get connections=16
 * in-flight=64 warm-up=20 seconds=10 http=http://127.0.0.1:18220 https=https://127.0.0.1:18221
 * trust=cert.pem} (trust: the shadow's self-signed certificate, PEM, needed for {@code tls}).
 */
public final class SenderComparison {

  private static final java.util.Set<String> KEYS_WITHOUT_DEFAULT = java.util.Set.of("candidate",
      "trust");

  private SenderComparison() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("pipelining", "on", "shape", "get",
        "connections", "16", "in-flight", "64", "warm-up", "20", "seconds", "10",
        "http", "http://127.0.0.1:18220", "https", "https://127.0.0.1:18221"));
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0 || !a.containsKey(arg.substring(0, eq)) && !KEYS_WITHOUT_DEFAULT.contains(
          arg.substring(0, eq))) {
        throw new IllegalArgumentException("argument: was " + arg + ", must be key=value with"
            + " a key of " + a.keySet() + " or " + KEYS_WITHOUT_DEFAULT);
      }
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    String name = a.get("candidate");
    boolean pipelining = switch (a.get("pipelining")) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException("pipelining: was " + a.get("pipelining")
          + ", must be on or off");
    };
    int connections = Integer.parseInt(a.get("connections"));
    int inFlight = Integer.parseInt(a.get("in-flight"));
    if (connections < 1 || inFlight < connections) {
      throw new IllegalArgumentException("connections, in-flight: were " + connections + ", "
          + inFlight + ", must be at least 1 and at least connections");
    }
    SSLContext tls = a.containsKey("trust") ? trusting(Path.of(a.get("trust"))) : null;
    RequestShape shape = RequestShape.named(a.get("shape"), URI.create(a.get("http")),
        URI.create(a.get("https")), tls);
    int outstanding = pipelining ? inFlight : connections;
    SendLoop.Window w;
    try (Candidate candidate = candidate(name, shape, connections, pipelining)) {
      w = SendLoop.measure(candidate, connections, outstanding,
          Integer.parseInt(a.get("warm-up")), Integer.parseInt(a.get("seconds")));
      System.out.printf(Locale.ROOT, "result candidate=%s pipelining=%s shape=%s connections=%d"
          + " outstanding=%d req/s=%.0f cpu-us-per-request=%.2f answered=%d failed=%d"
          + " open-connections=%d%n", name, pipelining ? "on" : "off", shape.name(), connections,
          outstanding, w.requestsPerSecond(), w.cpuMicrosPerRequest(), w.answered(), w.failed(),
          establishedTo(shape.base().getPort()));
    }
    System.exit(0);
  }

  private static Candidate candidate(String name, RequestShape shape, int connections,
      boolean pipelining) throws Exception {
    return switch (name) {
      case "nio" -> new MirrorTransportCandidate(
          NioHttpTransport.create(1, pipelining, connections), shape);
      case "netty" -> new NettyHttp1Candidate(shape, connections, pipelining);
      case "apache" -> new ApacheMinimalCandidate(shape, connections, pipelining);
      default -> throw new IllegalArgumentException("candidate: was " + name
          + ", must be nio, netty or apache");
    };
  }

  /** Trusts only the shadow's self-signed certificate (PEM), as every candidate must. */
  static SSLContext trusting(Path certificate) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      store.setCertificateEntry("shadow",
          CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /**
   * Established TCP connections of this network namespace to {@code port}: this process's, as it
   * is the shadow's one client while it runs.
   */
  private static int establishedTo(int port) {
    String remote = String.format(Locale.ROOT, ":%04X", port);
    int count = 0;
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 3 && f[2].endsWith(remote) && f[3].equals("01")) {
            count++;
          }
        }
      } catch (IOException e) {
        return -1;
      }
    }
    return count;
  }
}
