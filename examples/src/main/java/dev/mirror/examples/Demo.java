package dev.mirror.examples;

import dev.mirror.api.DropReason;
import dev.mirror.api.FailureReason;
import dev.mirror.core.stats.ComparisonReport;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.stats.TargetStats;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.UnaryOperator;

/**
 * The demo: a primary service with {@code MirrorFilter} from a real web.xml, a healthy shadow
 * ("v2") and a slow one ("v2-slow"), a few thousand requests of varied shapes, and a report.
 *
 * <p>Options: {@code --requests=N} (default 2000 per phase), {@code --rate=N} (requests per
 * second, default 500: a steady production-like load, not a saturation test), {@code
 * --concurrency=N} (8),
 * {@code --black-hole} (v2-slow never answers instead of taking 0.5 s), {@code --serve} (keep
 * serving after the report, for curl), {@code --port=N} (the primary's port with --serve; 8080).
 */
public final class Demo {

  /** What one run measured, for the report and for the demo's test. */
  public record Result(long served, long failedPrimary, PolicyStats policy,
      Map<String, TargetStats> targets,
      double[] latencyOffMillis, double[] latencyOnMillis, long v2Received, long slowReceived,
      String sample, ComparisonReport.PolicyReport comparison) {}

  private final PrintStream out;
  private final int requests;
  private final int concurrency;
  private final int rate;
  private final boolean blackHole;

  Demo(PrintStream out, int requests, int rate, int concurrency, boolean blackHole) {
    this.out = out;
    this.requests = requests;
    this.rate = rate;
    this.concurrency = concurrency;
    this.blackHole = blackHole;
  }

  public static void main(String[] args) throws Exception {
    int requests = 2000;
    int concurrency = 8;
    int rate = 500;
    int port = 8080;
    boolean serve = false;
    boolean blackHole = false;
    String comparisonsHtml = null;
    // Maven's -Ddemo.args="--black-hole --serve" arrives as one argument: split it.
    String[] options = String.join(" ", args).trim().split("\\s+");
    for (String arg : options) {
      if (arg.startsWith("--requests=")) {
        requests = Integer.parseInt(arg.substring("--requests=".length()));
      } else if (arg.startsWith("--rate=")) {
        rate = Integer.parseInt(arg.substring("--rate=".length()));
      } else if (arg.startsWith("--concurrency=")) {
        concurrency = Integer.parseInt(arg.substring("--concurrency=".length()));
      } else if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else if (arg.equals("--serve")) {
        serve = true;
      } else if (arg.equals("--black-hole")) {
        blackHole = true;
      } else if (arg.startsWith("--comparisons-html=")) {
        comparisonsHtml = arg.substring("--comparisons-html=".length());
      } else if (!arg.isBlank()) {
        System.err.println("Unknown option " + arg + "; options: --requests=N --rate=N --concurrency=N"
            + " --black-hole --serve --port=N --comparisons-html=FILE");
        System.exit(2);
      }
    }
    Demo demo = new Demo(System.out, requests, rate, concurrency, blackHole);
    demo.comparisonsHtml = comparisonsHtml;
    demo.run(serve ? port : -1);
  }

  /** Where to save the comparison page after the report (docs/comparisons.sh), or null. */
  private String comparisonsHtml;
  /** The admin endpoint's token, made up per run. */
  private final String adminToken = Long.toHexString(new java.security.SecureRandom().nextLong());

  /** Runs the demo; with {@code servePort >= 0}, keeps serving on that port afterwards. */
  Result run(int servePort) throws Exception {
    out.println("mirror demo: one JVM, everything on 127.0.0.1");
    out.println();
    try (RecordingShadow v2 = RecordingShadow.running("v2", Demo::nextVersion);
        RecordingShadow slow = blackHole ? RecordingShadow.blackHole("v2-slow")
            : RecordingShadow.slow("v2-slow", Duration.ofMillis(500));
        WebXmlApp primary = WebXmlApp.start(Map.of("V2", v2.address(), "V2_SLOW", slow.address(),
            "ADMIN_TOKEN", adminToken), Math.max(servePort, 0))) {
      out.printf("  shadow v2       %s  answers at once%n", v2.address());
      out.printf("  shadow v2-slow  %s  %s%n", slow.address(),
          blackHole ? "accepts and never answers (black hole)" : "answers after 0.5 s");
      out.printf("  primary         %s  Jetty 12, MirrorFilter from WEB-INF/web.xml:%n",
          primary.url(""));
      primary.webXml().lines().filter(l -> l.contains("<param-name>") && !l.contains("mirror.admin."))
          .map(l -> "      " + l.trim().replace("<init-param><param-name>", "")
              .replace("</param-name><param-value>", " = ").replace("</param-value></init-param>", ""))
          .forEach(out::println);
      out.println();

      MirrorEngine engine = primary.engine();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();

      out.printf("Load: %,d requests per phase at %d requests/s, %d clients; mirroring off and on"
          + " alternate.%nWarming up (%d requests)...%n", requests, rate, concurrency,
          Math.min(500, requests));
      drive(client, primary, Math.min(500, requests), null, null);
      awaitCopies(engine, Duration.ofSeconds(2));
      awaitComparisons(engine, Duration.ofSeconds(3));
      MirrorStats afterWarmUp = engine.stats();
      // The report counts the measured phases only, comparisons as the copies: not the warm-up.
      ComparisonReport.PolicyReport comparedInWarmUp = engine.comparisons().policies().get(0);
      long v2Before = v2.received();
      long slowBefore = slow.received();

      // Off and on alternate in halves, so drift on a noisy machine hits both alike.
      int half = requests / 2;
      List<Long> off = new ArrayList<>();
      List<Long> on = new ArrayList<>();
      AtomicLongArray failures = new AtomicLongArray(1);
      for (int round = 0; round < 2; round++) {
        engine.setEnabled(false);
        off.addAll(drive(client, primary, half, "mirroring off", failures));
        engine.setEnabled(true);
        on.addAll(drive(client, primary, half, "mirroring on ", failures));
      }
      awaitCopies(engine, Duration.ofSeconds(3));

      MirrorStats stats = engine.stats();
      PolicyStats policy = minus(stats.policies().get(0), afterWarmUp.policies().get(0));
      Map<String, TargetStats> targets = Map.of(
          "v2", minus(stats.target("v2"), afterWarmUp.target("v2")),
          "v2-slow", minus(stats.target("v2-slow"), afterWarmUp.target("v2-slow")));
      String sample = sample(v2);
      awaitComparisons(engine, Duration.ofSeconds(3));
      Result result = new Result(off.size() + on.size(), failures.get(0), policy, targets,
          percentiles(off), percentiles(on), v2.received() - v2Before, slow.received() - slowBefore,
          sample, minus(engine.comparisons().policies().get(0), comparedInWarmUp));
      report(result);
      if (comparisonsHtml != null) {
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(
            URI.create(primary.url("/admin/comparisons.html")))
            .header("Authorization", "Bearer " + adminToken).build(),
            HttpResponse.BodyHandlers.ofString());
        java.nio.file.Files.writeString(java.nio.file.Path.of(comparisonsHtml), page.body());
        out.printf("%nThe comparison page (GET /admin/comparisons.html) is saved in %s%n",
            comparisonsHtml);
      }

      if (servePort >= 0) {
        out.println();
        out.printf("Serving until Ctrl-C. Try:%n  curl -s '%s'%n  curl -s -X POST -H"
            + " 'Content-Type: application/json' -d '{\"sku\":42}' %s%n",
            primary.url("/api/products?q=red+shoes"), primary.url("/api/orders"));
        out.printf("  curl -s -H 'Authorization: Bearer %s' %s%n", adminToken,
            primary.url("/admin/comparisons.html"));
        primary.join();
      }
      return result;
    }
  }

  /**
   * The shop's next version, as shadow v2 runs it: the same code with two changes a review might
   * miss: the third search result differs, and orders carry a currency.
   */
  static String nextVersion(String method, String path, UnaryOperator<String> parameters,
      byte[] body) {
    String answer = ShopServlet.answer(method, path, parameters, body);
    if (answer != null && path.startsWith("/api/products")) {
      return answer.replace("\"results\":[1,2,3]", "\"results\":[1,2,4]");
    }
    if (answer != null && path.equals("/api/orders")) {
      return answer.substring(0, answer.length() - 1) + ",\"currency\":\"EUR\"}";
    }
    return answer;
  }

  /** Waits, at most {@code limit}, until every request's answers were compared. */
  private static void awaitComparisons(MirrorEngine engine, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (engine.comparisons().policies().get(0).pending() > 0
        && System.nanoTime() - deadline < 0) {
      Thread.sleep(20); // polling with a deadline: the demo waits for its own report
    }
  }

  /** Waits, at most {@code limit}, until no copy is in flight (a black hole keeps some longer). */
  private static void awaitCopies(MirrorEngine engine, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline
        && engine.stats().targets().stream().anyMatch(t -> t.inFlight() > 0)) {
      TimeUnit.MILLISECONDS.sleep(10); // polling with a deadline
    }
  }

  /** Sends {@code count} requests of varied shapes; returns their latencies in nanoseconds. */
  private List<Long> drive(HttpClient client, WebXmlApp primary, int count, String label,
      AtomicLongArray failures) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long[] latencies = new long[count];
    long begin = System.nanoTime();
    long intervalNanos = 1_000_000_000L / Math.max(1, rate);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        workers.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < count) {
            HttpRequest request = shape(primary, i);
            // Pacing, not synchronisation: request i is due at begin + i / rate.
            long due = begin + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            long start = System.nanoTime();
            try {
              HttpResponse<Void> response =
                  client.send(request, HttpResponse.BodyHandlers.discarding());
              if (response.statusCode() != 200 && failures != null) {
                failures.incrementAndGet(0);
              }
            } catch (Exception e) {
              if (failures != null) {
                failures.incrementAndGet(0);
              }
            }
            latencies[i] = System.nanoTime() - start;
          }
          return null;
        }));
      }
      pool.shutdown();
      // Progress once a second while a phase runs; every wait is bounded by the requests' timeouts.
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        if (label != null) {
          out.printf("  %s: %,d / %,d requests%n", label, Math.min(next.get(), count), count);
        }
      }
      for (Future<?> worker : workers) {
        worker.get();
      }
      if (label != null) {
        out.printf("  %s: %,d / %,d requests, done%n", label, count, count);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Long> list = new ArrayList<>(count);
    for (long l : latencies) {
      list.add(l);
    }
    return list;
  }

  /** The request mix: searches, JSON orders, a form, a login (never mirrored), large uploads. */
  static HttpRequest shape(WebXmlApp primary, int i) {
    String[] terms = {"red+shoes", "caf%C3%A9", "a%2Bb", "size%3D42&color=blue", "%E2%9C%93"};
    HttpRequest.Builder b;
    switch (i % 10) {
      case 5:
      case 6:
        b = HttpRequest.newBuilder(URI.create(primary.url("/api/orders")))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer demo-secret-" + i)
            .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":" + i + ",\"qty\":2}"));
        break;
      case 7:
        b = HttpRequest.newBuilder(URI.create(primary.url("/api/subscribe")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("email=user" + i + "%40example.com&news=1"));
        break;
      case 8:
        b = HttpRequest.newBuilder(URI.create(primary.url("/login")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("user=u" + i + "&password=hunter2"));
        break;
      case 9:
        if (i % 50 == 9) {
          byte[] upload = new byte[256 * 1024];
          Arrays.fill(upload, (byte) i);
          b = HttpRequest.newBuilder(URI.create(primary.url("/api/upload")))
              .header("Content-Type", "application/octet-stream")
              .POST(HttpRequest.BodyPublishers.ofByteArray(upload));
          break;
        }
        // fall through: a plain product page
      default:
        b = HttpRequest.newBuilder(URI.create(primary.url(
            "/api/products/" + (i % 97) + "?q=" + terms[i % terms.length] + "&page=" + (i % 3))))
            .GET();
    }
    return b.timeout(Duration.ofSeconds(30)).build();
  }

  /** The comparisons made since {@code before}: counts subtracted, rates of what is left. */
  static ComparisonReport.PolicyReport minus(ComparisonReport.PolicyReport now,
      ComparisonReport.PolicyReport before) {
    List<ComparisonReport.EndpointReport> endpoints = new ArrayList<>();
    for (ComparisonReport.EndpointReport e : now.endpoints()) {
      ComparisonReport.EndpointReport was = before.endpoints().stream()
          .filter(b -> b.endpoint().equals(e.endpoint()) && b.target().equals(e.target()))
          .findFirst().orElse(null);
      long compared = e.compared() - (was == null ? 0 : was.compared());
      long baselineCompared = e.baselineCompared() - (was == null ? 0 : was.baselineCompared());
      List<ComparisonReport.FieldReport> fields = new ArrayList<>();
      for (ComparisonReport.FieldReport f : e.fields()) {
        ComparisonReport.FieldReport old = was == null ? null : was.fields().stream()
            .filter(b -> b.field().equals(f.field())).findFirst().orElse(null);
        long differences = f.differences() - (old == null ? 0 : old.differences());
        long baselineDifferences = f.baselineDifferences()
            - (old == null ? 0 : old.baselineDifferences());
        Map<dev.mirror.api.Difference.Kind, Long> kinds = new java.util.EnumMap<>(
            dev.mirror.api.Difference.Kind.class);
        f.kinds().forEach((kind, n) -> kinds.put(kind,
            n - (old == null ? 0 : old.kinds().getOrDefault(kind, 0L))));
        if (differences > 0) {
          fields.add(new ComparisonReport.FieldReport(f.field(), differences,
              compared == 0 ? 0 : (double) differences / compared, baselineDifferences,
              baselineCompared == 0 ? 0 : (double) baselineDifferences / baselineCompared,
              f.noise(), kinds, f.samples()));
        }
      }
      if (compared > 0) {
        endpoints.add(new ComparisonReport.EndpointReport(e.endpoint(), e.target(), compared,
            e.mismatched() - (was == null ? 0 : was.mismatched()), baselineCompared,
            e.primaryMillis(), e.shadowMillis(), fields));
      }
    }
    return new ComparisonReport.PolicyReport(now.policy(), now.targets(), now.baseline(),
        now.pending(), now.compared() - before.compared(), now.matched() - before.matched(),
        now.mismatched() - before.mismatched(), now.ignored() - before.ignored(),
        now.shadowMissing() - before.shadowMissing(),
        now.primaryMissing() - before.primaryMissing(), now.evicted() - before.evicted(),
        now.bodiesNotCompared() - before.bodiesNotCompared(), endpoints);
  }

  private static PolicyStats minus(PolicyStats now, PolicyStats before) {
    return new PolicyStats(now.name(), now.submitted() - before.submitted(),
        now.sampledOut() - before.sampledOut(), now.filteredOut() - before.filteredOut(),
        List.of());
  }

  private static TargetStats minus(TargetStats now, TargetStats before) {
    Map<DropReason, Long> dropped = new java.util.EnumMap<>(DropReason.class);
    now.dropped().forEach((k, v) -> dropped.put(k, v - before.dropped(k)));
    Map<FailureReason, Long> failed = new java.util.EnumMap<>(FailureReason.class);
    now.failed().forEach((k, v) -> failed.put(k, v - before.failed(k)));
    Map<Integer, Long> classes = new java.util.HashMap<>();
    now.responsesByClass().forEach((k, v) -> classes.put(k, v - before.responses(k)));
    return new TargetStats(now.policy(), now.target(), now.sampledOut() - before.sampledOut(),
        dropped,
        now.sent() - before.sent(), failed, classes, now.inFlight(), now.circuitOpen(),
        now.latency(), now.waited(), now.scrubbed(), now.retries());
  }

  private static double[] percentiles(List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      return new double[] {0, 0, 0};
    }
    return new double[] {at(sorted, 0.50), at(sorted, 0.99), at(sorted, 1.0)};
  }

  private static double at(long[] sorted, double q) {
    int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[index] / 1e6;
  }

  private static String sample(RecordingShadow v2) {
    for (RecordingShadow.Received r : v2.firstReceived()) {
      if (r.target().equals("/api/orders")) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("    %-22s %-40s %s%n", "", "client sent", "shadow v2 received"));
        s.append(String.format("    %-22s %-40s %s%n", "request line", "POST /api/orders",
            r.method() + " " + r.target()));
        s.append(String.format("    %-22s %-40s %s%n", "Authorization", "Bearer demo-secret-…",
            header(r, "Authorization")));
        String body = new String(r.body(), StandardCharsets.UTF_8);
        s.append(String.format("    %-22s %-40s %s%n", "body", "{\"sku\":<i>,\"qty\":2}", body));
        s.append(String.format("    %-22s %-40s %s%n", "X-Mirror-Request-Id", "(none)",
            header(r, "X-Mirror-Request-Id")));
        s.append(String.format("    %-22s %-40s %s%n", "X-Forwarded-For", "(none)",
            header(r, "X-Forwarded-For")));
        s.append(String.format("    %-22s %-40s %s%n", "X-Mirrored-From", "(none)",
            header(r, "X-Mirrored-From")));
        s.append(String.format("    %-22s %-40s %s%n", "Host", "127.0.0.1:<primary port>",
            header(r, "Host")));
        return s.toString();
      }
    }
    return "    (v2 received no order)\n";
  }

  private static String header(RecordingShadow.Received r, String name) {
    for (Map.Entry<String, List<String>> e : r.headers().entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return String.join(", ", e.getValue());
      }
    }
    return "(none)";
  }

  private void report(Result r) {
    out.println();
    out.println("=== Report ===");
    out.printf("Primary: %,d requests served, %d failed%n", r.served(), r.failedPrimary());
    out.printf("Primary latency (ms)       p50      p99      max%n");
    out.printf("  mirroring off       %8.2f %8.2f %8.2f%n", r.latencyOffMillis()[0],
        r.latencyOffMillis()[1], r.latencyOffMillis()[2]);
    out.printf("  mirroring on        %8.2f %8.2f %8.2f%n", r.latencyOnMillis()[0],
        r.latencyOnMillis()[1], r.latencyOnMillis()[2]);
    out.printf("  on / off            %8.2fx %7.2fx%n",
        r.latencyOnMillis()[0] / r.latencyOffMillis()[0],
        r.latencyOnMillis()[1] / r.latencyOffMillis()[1]);
    out.println("  (one run, one machine: the client, the primary and both shadows share its cores, so"
        + " 'on' also pays the CPU of sending copies and of the shadows answering them; a slow"
        + " shadow adds no waiting)");
    out.println();
    out.printf("Copies per target (mirroring-on phases: %,d requests, %,d not mirrored by policy"
        + " (/login))%n", r.policy().submitted(), r.policy().filteredOut());
    out.printf("  %-9s %9s %9s %9s %9s %9s  %s%n", "target", "requests", "sent", "dropped",
        "failed", "p99 (ms)", "why");
    for (String name : List.of("v2", "v2-slow")) {
      TargetStats t = r.targets().get(name);
      StringBuilder why = new StringBuilder();
      t.dropped().forEach((reason, n) -> {
        if (n > 0) {
          why.append(reason).append('=').append(n).append(' ');
        }
      });
      t.failed().forEach((reason, n) -> {
        if (n > 0) {
          why.append("failed:").append(reason).append('=').append(n).append(' ');
        }
      });
      out.printf("  %-9s %,9d %,9d %,9d %,9d %9s  %s%n", name, t.offered(), t.sent(),
          t.droppedTotal(), t.failedTotal(), String.format(java.util.Locale.ROOT, "%.1f", t.latency().quantileMillis(0.99)),
          why.toString().trim());
    }
    out.printf("  the shadows' own count: v2 received %,d, v2-slow received %,d%n",
        r.v2Received(), r.slowReceived());
    out.println();
    out.println("What mirror did, in words:");
    out.println("  - every request reached the primary unchanged; /login was never copied;");
    out.println("  - 256 KiB uploads are over mirror.max-body-bytes (64 KiB): their copies were"
        + " skipped (BODY_TOO_LARGE), never cut off;");
    out.println("  - v2-slow holds at most 16 copies (max-in-flight); copies beyond that were"
        + " dropped (QUEUE_FULL) instead of making anyone wait" + (blackHole
            ? ", and its circuit opened after timeouts (CIRCUIT_OPEN)." : "."));
    out.println();
    ComparisonReport.PolicyReport c = r.comparison();
    out.printf("v2's answers compared with the primary's (mirror.target.v2.compare=true), off the"
        + " request threads, in the mirroring-on phases:%n  %,d compared, %,d matched, %,d mismatched, %,d without an answer"
        + " from v2%n", c.compared(), c.matched(), c.mismatched(), c.shadowMissing());
    for (ComparisonReport.EndpointReport endpoint : c.endpoints()) {
      for (ComparisonReport.FieldReport field : endpoint.fields()) {
        ComparisonReport.Sample sample = field.samples().isEmpty() ? null : field.samples().get(0);
        out.printf("  %-26s %-14s %5.1f %% of %,d, e.g. %s -> %s%n", endpoint.endpoint(),
            field.field(), 100 * field.rate(), endpoint.compared(),
            sample == null ? "" : sample.primary(), sample == null ? "" : sample.shadow());
      }
    }
    out.println("  (the full report: GET /comparisons or /comparisons.html on the admin endpoint)");
    out.println();
    out.println("A copy next to the original (first JSON order v2 received):");
    out.print(r.sample());
  }
}
