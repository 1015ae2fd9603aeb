package dev.mirror.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin endpoint's end-to-end scenario, run by each entry point's suite against its real
 * container: the seed's request moves a route to a new shadow at 50 %, counted at the shadow;
 * DELETE stops the copies; every refusal answers as specified. Plain HTTP and text checks, so
 * that core's test-jar needs no JSON library.
 */
public final class AdminEndpointScenario {

  private final HttpClient client = HttpClient.newHttpClient();
  private final String base;
  private final String token;
  private final IntFunction<String> appUrl;

  /**
   * @param base the endpoint's mount point ({@code http://127.0.0.1:port/api/v1/gateway})
   * @param token the configured token
   * @param appUrl the URL of the application's n-th request (mirrored)
   */
  public AdminEndpointScenario(String base, String token, IntFunction<String> appUrl) {
    this.base = base;
    this.token = token;
    this.appUrl = appUrl;
  }

  /**
   * Runs the scenario; {@code first} is the configured shadow, {@code second} the new one (the
   * entry point lists it in {@code mirror.allowed-targets}).
   */
  public void run(Shadow first, Shadow second) throws Exception {
    // The seed's request, as the seed writes it.
    HttpResponse<String> changed = send("POST", "/routes/default/mirror", token,
        "application/json", "{\"mirrorHost\": \"http://127.0.0.1\", \"mirrorPort\": "
            + second.server.getPort() + ", \"percentage\": 50, \"synchronous\": false,"
            + " \"logResponses\": true}");
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    assertThat(changed.body()).contains("\"percentage\":50");

    int requests = 400;
    for (int i = 0; i < requests; i++) {
      assertThat(get(appUrl.apply(i)).statusCode()).isEqualTo(200);
    }
    awaitQuiet(requests);
    int atSecond = second.server.getRequestCount();
    assertThat(first.server.getRequestCount()).as("the old shadow gets nothing").isZero();
    // 50 % of 400: 200 +- 6 sigma (sigma = 10).
    assertThat(atSecond).as("copies at the new shadow").isBetween(140, 260);
    assertThat(stats()).contains("\"sent\":" + atSecond);
    assertThat(stats()).contains("\"retries\":0", "\"retriesExhausted\":0",
        "\"retriesRefused\":0", "\"retriesPending\":0"); // retries are off by default

    HttpResponse<String> off = send("DELETE", "/routes/default/mirror", token, null, null);
    assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
    for (int i = 0; i < 100; i++) {
      assertThat(get(appUrl.apply(requests + i)).statusCode()).isEqualTo(200);
    }
    awaitQuiet(requests + 100);
    assertThat(second.server.getRequestCount()).as("no copy after DELETE").isEqualTo(atSecond);
    assertThat(send("POST", "/routes/default/mirror/enable", token, null, null).statusCode())
        .isEqualTo(200);

    refusals();
  }

  private void refusals() throws Exception {
    HttpResponse<String> anonymous = send("GET", "/routes", null, null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"mirror\"");
    assertThat(send("GET", "/routes", "wrong", null, null).statusCode()).isEqualTo(403);
    HttpResponse<String> unknown = send("POST", "/routes/checkout/mirror", token,
        "application/json", "{}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("no route named checkout, must be one of [default]");
    assertThat(send("POST", "/routes/default/mirror", token, "text/plain", "percentage=5")
        .statusCode()).isEqualTo(415);
    assertThat(send("POST", "/routes/default/mirror", token, "application/json",
        "{\"path\": \"/" + "a".repeat(70_000) + "\"}").statusCode()).isEqualTo(413);
    HttpResponse<String> bad = send("POST", "/routes/default/mirror", token, "application/json",
        "{\"percentage\": 150}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("{\"error\":\"percentage: was 150, must be an integer in"
        + " [0, 100]\",\"field\":\"percentage\"}");
    // The token is a key to mirroring, not to the network (issue 28).
    HttpResponse<String> metadata = send("POST", "/routes/default/mirror", token,
        "application/json", "{\"mirrorHost\": \"http://169.254.169.254\", \"mirrorPort\": 80}");
    assertThat(metadata.statusCode()).isEqualTo(400);
    assertThat(metadata.body()).contains("\"field\":\"mirrorHost\"")
        .contains("must be the scheme, host and port of a start-up target");
    HttpResponse<String> unknownField = send("POST", "/routes/default/mirror", token,
        "application/json", "{\"colour\": \"red\"}");
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(unknownField.body()).contains("\"field\":\"colour\"");
    assertThat(send("GET", "/routes", token, null, null).body()).doesNotContain(token);
  }

  /** Waits until every copy of {@code requests} requests has ended. */
  private void awaitQuiet(int requests) {
    Pattern submitted = Pattern.compile("\"submitted\":(\\d+)");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      String stats = stats();
      Matcher m = submitted.matcher(stats);
      return m.find() && Long.parseLong(m.group(1)) >= requests
          && stats.contains("\"inFlight\":0");
    });
  }

  private String stats() throws IOException, InterruptedException {
    HttpResponse<String> stats = send("GET", "/stats", token, null, null);
    assertThat(stats.statusCode()).isEqualTo(200);
    return stats.body();
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String method, String path, String bearer,
      String contentType, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
