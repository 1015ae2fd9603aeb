package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.Shadow;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Primaries that speak HTTP/2 (cleartext, prior knowledge), driven by Jetty's HTTP/2 client. */
class Http2PrimaryTest {

  private HttpClient client;
  private Shadow shadow;
  private MirrorEngine engine;
  private Container primary;

  @BeforeEach
  void startClient() throws Exception {
    client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    client.start();
  }

  @AfterEach
  void stop() throws Exception {
    client.stop();
    if (primary != null) {
      primary.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (shadow != null) {
      shadow.close();
    }
  }

  private void start(String container) throws Exception {
    shadow = Shadow.answering(200);
    engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address())).newEngine();
    primary = container.equals("jetty") ? Container.jetty(new MirrorFilter(engine), new TestApp())
        : Container.tomcat(new MirrorFilter(engine), new TestApp());
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void streamedAndSizedBodies_arriveWhole_withTheAuthorityAsHost(String container)
      throws Exception {
    start(container);
    ContentResponse streamed = client.newRequest(primary.url("/echo/streamed")).method("PUT")
        .body(new InputStreamRequestContent(new ByteArrayInputStream(bytes(20_000))))
        .timeout(10, TimeUnit.SECONDS).send();
    assertThat(streamed.getStatus()).isEqualTo(200);
    assertThat(streamed.getVersion().asString()).isEqualTo("HTTP/2.0");
    RecordedRequest copy = shadow.take();
    assertThat(copy.getBody().toByteArray()).as("a body with no declared length")
        .isEqualTo(bytes(20_000));
    assertThat(copy.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + primary.port());
    assertThat(copy.getHeaders().names()).noneMatch(name -> name.startsWith(":"));

    client.newRequest(primary.url("/echo/sized")).method("POST")
        .body(new BytesRequestContent(bytes(20_000))).timeout(10, TimeUnit.SECONDS).send();
    assertThat(shadow.take().getBody().toByteArray()).isEqualTo(bytes(20_000));

    client.newRequest(primary.url("/echo/get?x=1")).timeout(10, TimeUnit.SECONDS).send();
    RecordedRequest get = shadow.take();
    assertThat(get.getTarget()).isEqualTo("/echo/get?x=1");
    assertThat(get.getHeaders().get("Content-Length")).as("a bodiless GET, no framing").isNull();
    assertThat(get.getHeaders().get("Transfer-Encoding")).isNull();
    assertThat(get.getHeaders().get("X-Forwarded-Proto")).isEqualTo("http");

    // An async GET that never reads its (absent) body is mirrored too.
    ContentResponse async = client.newRequest(primary.url("/async-noread?h2=1"))
        .timeout(10, TimeUnit.SECONDS).send();
    assertThat(async.getContentAsString()).isEqualTo("async, body untouched");
    await().atMost(Duration.ofSeconds(10)).alias("the async exchange's copy")
        .until(() -> engine.stats().target("default").inFlight() == 0
            && engine.stats().policy("default").submitted() == 4);
    assertThat(engine.stats().target("default").droppedTotal()).as("copies dropped: "
        + engine.stats().target("default").dropped()).isZero();
    assertThat(shadow.take().getTarget()).as(engine.stats().target("default").toString())
        .isEqualTo("/async-noread?h2=1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void fourHundredRequests_fourStreamsAtATime_oneConnection_fourHundredCopies(String container)
      throws Exception {
    start(container);
    Semaphore streams = new Semaphore(4);
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      streams.acquire();
      CompletableFuture<Integer> answer = new CompletableFuture<>();
      client.newRequest(primary.url("/echo/n" + i)).method("POST")
          .body(new BytesRequestContent(("body " + i).getBytes(StandardCharsets.UTF_8)))
          .timeout(10, TimeUnit.SECONDS)
          .send(result -> {
            streams.release();
            answer.complete(result.isSucceeded() ? result.getResponse().getStatus() : -1);
          });
      answers.add(answer);
    }
    for (CompletableFuture<Integer> answer : answers) {
      assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> shadow.server.getRequestCount() == 400);
    assertThat(engine.stats().target("default").sent()).isEqualTo(400);
  }
}
