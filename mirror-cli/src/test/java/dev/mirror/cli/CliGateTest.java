package dev.mirror.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirror gate} on a capture of 3,000 requests (three endpoints) against real servers, the
 * jar run as a process. Every answer carries noise (a timestamp and a random trace id) that the
 * two baselines disagree on as well.
 */
class CliGateTest {

  static final int RECORDS = 3_000;

  @TempDir
  static Path dir;

  static Path capture;
  static JsonServer baseline;
  static JsonServer baseline2;

  /** The shop's answers; {@code orderTotalDelta} is the candidate's change to one field. */
  static Function<HttpExchange, String> shop(int orderTotalDelta) {
    return exchange -> {
      String path = exchange.getRequestURI().getRawPath();
      String noise = ",\"generatedAt\":\"" + System.nanoTime() + "\",\"trace\":\""
          + UUID.randomUUID() + "\"";
      String[] segments = path.split("/");
      if (path.startsWith("/api/orders/")) {
        int id = Integer.parseInt(segments[3]);
        return "{\"id\":" + id + ",\"total\":" + (id * 10 + orderTotalDelta)
            + ",\"currency\":\"EUR\"" + noise + "}";
      }
      if (path.startsWith("/api/users/")) {
        return "{\"name\":\"u" + segments[3] + "\",\"roles\":[\"buyer\"]" + noise + "}";
      }
      return "{\"results\":[1,2,3]" + noise + "}";
    };
  }

  @BeforeAll
  static void captureAndBaselines() throws Exception {
    capture = Captures.write(dir.resolve("capture.ndjson"), RECORDS, i -> switch (i % 3) {
      case 0 -> new String[] {"GET", "/api/orders/" + i};
      case 1 -> new String[] {"GET", "/api/users/" + i};
      default -> new String[] {"GET", "/api/products?q=shoes&page=" + i};
    });
    baseline = new JsonServer(shop(0));
    baseline2 = new JsonServer(shop(0));
  }

  @AfterAll
  static void stop() {
    baseline.close();
    baseline2.close();
  }

  /**
   * The gate with two baselines. A few failed copies are allowed: the JDK's HttpServer, loaded
   * by three replays at once on a busy machine, now and then closes a connection without
   * answering (counted IO); errors are the down-candidate test's subject, not these tests'.
   */
  private static CliJar.Run gate(String candidate, String... more) throws Exception {
    String[] args = {"gate", "--from", capture.toString(), "--candidate", candidate,
        "--baseline", baseline.url(), "--baseline2", baseline2.url(), "--max-errors", "5"};
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return CliJar.run(120, all);
  }

  @Test
  void aCandidateThatDiffersInOneField_failsTheGate_andTheReportsNameEndpointAndField()
      throws Exception {
    Path junit = dir.resolve("differs.xml");
    Path html = dir.resolve("differs.html");
    Path json = dir.resolve("differs.json");
    try (JsonServer candidate = new JsonServer(shop(1))) {
      CliJar.Run run = gate(candidate.url(), "--junit", junit.toString(), "--html",
          html.toString(), "--json", json.toString(), "--max-diff-rate", "0.01");
      assertThat(run.status()).as(run.toString()).isEqualTo(ExitStatus.THRESHOLD_CROSSED);
      assertThat(run.out()).contains("FAIL GET /api/orders/{id} /total", "FAILED: 1 of");
      assertThat(candidate.requests.get()).isEqualTo(RECORDS);
    }
    String xml = Files.readString(junit);
    assertThat(xml).contains("<testcase classname=\"GET /api/orders/{id}\" name=\"/total\"");
    assertThat(xml.substring(xml.indexOf("name=\"/total\""))).startsWith("name=\"/total\"")
        .contains("<failure message=\"differs in 100.00 % of ");
    assertThat(xml).contains("name=\"/generatedAt\"", "name=\"/trace\"")
        .contains("failures=\"1\"");
    assertThat(countOf(xml, "<failure ")).isEqualTo(1);
    assertThat(Files.readString(html)).contains("GET /api/orders/{id}", "<code>/total</code>",
        "class=\"noise\"");
    JsonNode summary = new ObjectMapper().readTree(json.toFile());
    assertThat(summary.get("passed").asBoolean()).isFalse();
    assertThat(summary.get("exitStatus").asInt()).isEqualTo(1);
    assertThat(summary.get("failures").get(0).get("group").asText())
        .isEqualTo("GET /api/orders/{id}");
    assertThat(summary.get("failures").get(0).get("name").asText()).isEqualTo("/total");
    assertThat(summary.get("counts").get("records").asLong()).isEqualTo(RECORDS);
  }

  @Test
  void anIdenticalCandidate_withNoiseTheBaselinesShare_passes_exit0() throws Exception {
    Path junit = dir.resolve("same.xml");
    Path json = dir.resolve("same.json");
    try (JsonServer candidate = new JsonServer(shop(0))) {
      CliJar.Run run = gate(candidate.url(), "--junit", junit.toString(), "--json",
          json.toString(), "--max-latency-ratio", "1000:1000");
      assertThat(run.status()).as(run.toString()).isZero();
      assertThat(run.out()).contains("PASSED", "0 mismatched");
    }
    String xml = Files.readString(junit);
    assertThat(xml).doesNotContain("<failure").contains("name=\"latency p99\"",
        "classname=\"GET /api/users/{id}\" name=\"/generatedAt\"");
    assertThat(new ObjectMapper().readTree(json.toFile()).get("passed").asBoolean()).isTrue();
  }

  @Test
  void withoutASecondBaseline_theNoiseIsADifference() throws Exception {
    try (JsonServer candidate = new JsonServer(shop(0))) {
      CliJar.Run run = CliJar.run(120, "gate", "--from", capture.toString(), "--candidate",
          candidate.url(), "--baseline", baseline.url(), "--paths", "/api/users/*",
          "--max-errors", "5", "--no-progress");
      assertThat(run.status()).as(run.toString()).isEqualTo(ExitStatus.THRESHOLD_CROSSED);
      assertThat(run.out()).contains("FAIL GET /api/users/{id} /generatedAt",
          "2,000 skipped by filters");
    }
  }

  @Test
  void aCandidateThatIsDown_isCounted_notWaitedFor_exit3() throws Exception {
    long start = System.nanoTime();
    CliJar.Run run = gate("http://127.0.0.1:1", "--no-progress");
    assertThat(run.status()).as(run.toString()).isEqualTo(ExitStatus.RUNTIME_FAILURE);
    assertThat(run.out()).contains("the candidate answered none of");
    assertThat((System.nanoTime() - start) / 1_000_000_000.0).isLessThan(60);
  }

  private static int countOf(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }
}
