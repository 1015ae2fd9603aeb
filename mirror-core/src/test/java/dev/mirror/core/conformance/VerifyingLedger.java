package dev.mirror.core.conformance;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;

/**
 * What one shadow server received, as a multiset of {@code X-Copy} values, against what the test
 * sent. The server's handler calls {@link #record} for every request it reads; a scenario takes a
 * {@link Run}, whose ids are unique and carry the run's prefix, and checks it with {@link
 * Run#verify}: no copy received twice, every copy the transport completed normally received, and
 * nothing received that no test sent.
 */
final class VerifyingLedger {

  /** The header every copy carries and every shadow echoes in its answer. */
  static final String COPY_HEADER = "X-Copy";

  private static final int SHOWN = 12;

  private final ConcurrentHashMap<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final Set<String> sent = ConcurrentHashMap.newKeySet();
  private final AtomicInteger unlabelled = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger runs = new AtomicInteger();

  /** Called by a server's handler for each request it reads; {@code copyId} null if absent. */
  void record(String copyId) {
    requests.incrementAndGet();
    if (copyId == null || copyId.isEmpty()) {
      unlabelled.incrementAndGet();
    } else {
      received.computeIfAbsent(copyId, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  /** A new scenario run, whose ids are {@code name-N/i}. */
  Run newRun(String name) {
    return new Run(name + "-" + runs.incrementAndGet() + "/");
  }

  /**
   * Waits (at most 10 s) until the server has received nothing new for 300 ms, so that a late
   * duplicate (a copy sent again after its future ended) is counted.
   */
  private void awaitQuiet() {
    long[] last = {-1};
    await("the server to receive nothing more for 300 ms")
        .pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(10))
        .until(() -> {
          long now = requests.get();
          boolean same = now == last[0];
          last[0] = now;
          return same;
        });
  }

  /** Received ids that no run issued, plus a count of requests without the header. */
  private Map<String, Integer> strays() {
    Map<String, Integer> strays = new TreeMap<>();
    received.forEach((id, n) -> {
      if (!sent.contains(id)) {
        strays.put(id, n.get());
      }
    });
    if (unlabelled.get() > 0) {
      strays.put("(no " + COPY_HEADER + ")", unlabelled.get());
    }
    return strays;
  }

  private static <K, V> String shown(Map<K, V> map) {
    return map.entrySet().stream().limit(SHOWN).map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", ", "{", map.size() > SHOWN ? ", ...}" : "}"));
  }

  /** One scenario's copies: ids it issued, checked against what the server received. */
  final class Run {
    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();

    private Run(String prefix) {
      this.prefix = prefix;
    }

    /** A new copy id, registered as sent (call before handing the copy to the transport). */
    String issue() {
      String id = prefix + next.getAndIncrement();
      sent.add(id);
      return id;
    }

    /**
     * Checks the ledger's three properties for this run, once the server is quiet, into {@code
     * soft}; returns the report every message carries: {@code label}, the sender's counts and the
     * server's.
     */
    String verify(String label, Load.Outcome outcome, SoftAssertions soft) {
      awaitQuiet();
      Map<String, Integer> duplicates = new TreeMap<>();
      long distinct = 0;
      long total = 0;
      for (Map.Entry<String, AtomicInteger> e : received.entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          int n = e.getValue().get();
          distinct++;
          total += n;
          if (n > 1) {
            duplicates.put(e.getKey(), n);
          }
        }
      }
      Set<String> missing = new TreeSet<>();
      for (String id : outcome.completed()) {
        if (!received.containsKey(id)) {
          missing.add(id);
        }
      }
      Map<String, Integer> strays = strays();
      String server = "server received " + distinct + " distinct copies in " + total
          + " requests; duplicated: " + duplicates.size() + " " + shown(duplicates)
          + "; completed but not received: " + missing.size() + "; strays: " + shown(strays);
      String report = " [" + label + ": " + outcome.summary() + "; " + server + "]";
      soft.assertThat(duplicates.size()).as("1. copies the server received more than once"
          + report).isZero();
      soft.assertThat(missing.size()).as("2. copies completed normally that the server never"
          + " received, e.g. " + missing.stream().limit(SHOWN).collect(Collectors.toList())
          + report).isZero();
      soft.assertThat(strays.size()).as("3. kinds of request the server received that no test"
          + " sent" + report).isZero();
      return report;
    }
  }
}
