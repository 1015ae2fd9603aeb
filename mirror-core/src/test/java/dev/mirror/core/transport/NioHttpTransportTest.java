package dev.mirror.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.FailureReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.internal.FailureClassifier;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.internal.http1.Http1Connection;
import dev.mirror.core.internal.http1.Http1Pool;
import dev.mirror.core.testing.RawShadow.Answer;
import dev.mirror.core.testing.RawShadow;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The default transport's framing and failures, against real sockets, byte for byte. */
class NioHttpTransportTest {

  private static final String NO_CONTENT = "HTTP/1.1 204 No Content\r\n\r\n";

  /** One loop, so that connection reuse is deterministic. */
  private final NioHttpTransport transport = NioHttpTransport.create(1);
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    transport.close();
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private RawShadow shadow(RawShadow.Script script) throws Exception {
    RawShadow shadow = new RawShadow(script);
    closing.add(shadow);
    return shadow;
  }

  private static MirrorTarget target(String address) {
    return MirrorTarget.builder("t", address).readTimeout(Duration.ofMillis(800))
        .connectTimeout(Duration.ofMillis(800)).build();
  }

  private static ShadowRequest copy(String address, String method, String pathAndQuery,
      Headers headers, byte[] body) {
    return new ShadowRequest("p", target(address), "id-1", method,
        URI.create(address + pathAndQuery), headers, ByteBuffer.wrap(body).asReadOnlyBuffer());
  }

  private ShadowResponse send(ShadowRequest copy) throws Exception {
    return transport.send(copy).get(10, TimeUnit.SECONDS);
  }

  private Throwable failure(ShadowRequest copy) throws Exception {
    try {
      ShadowResponse response = transport.send(copy).get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + response);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void bodilessGet_goesOutWithoutFraming_andWithTheGivenHost() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(NO_CONTENT));
    ShadowResponse response = send(copy(shadow.address(), "GET", "/a/b?q=1%202&x",
        Headers.of("Host", "client.example:8443", "Accept", "*/*"), new byte[0]));

    assertThat(response.statusCode()).isEqualTo(204);
    RawShadow.Recorded got = shadow.take();
    assertThat(got.head()).isEqualTo("GET /a/b?q=1%202&x HTTP/1.1\r\n"
        + "Host: client.example:8443\r\nAccept: */*\r\n\r\n");
  }

  @Test
  void withoutAHostHeader_theTargetsAuthorityIsSent() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(NO_CONTENT));
    send(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]));
    assertThat(shadow.take().header("Host")).isEqualTo("127.0.0.1:" + shadow.port());
  }

  @Test
  void body_isFramedByItsLength_andArrivesByteForByte() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));
    byte[] body = new byte[1024];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i;
    }
    ShadowResponse response = send(copy(shadow.address(), "POST", "/upload",
        Headers.of("Content-Type", "application/octet-stream"), body));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.headers().first("Content-Length")).isEqualTo("2");
    RawShadow.Recorded got = shadow.take();
    assertThat(got.header("Content-Length")).isEqualTo("1024");
    assertThat(got.header("Transfer-Encoding")).isNull();
    assertThat(got.body()).isEqualTo(body);
  }

  @Test
  void largeBody_isWrittenWhole_evenWhenTheSocketTakesItInParts() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(NO_CONTENT));
    byte[] body = new byte[8 * 1024 * 1024];
    Arrays.fill(body, (byte) 'x');
    send(copy(shadow.address(), "PUT", "/big", Headers.empty(), body));
    assertThat(shadow.take().body()).isEqualTo(body);
  }

  @Test
  void anEmptyBodyTheClientFramed_keepsContentLengthZero_throughTheEngine() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(NO_CONTENT));
    try (MirrorEngine engine = MirrorEngine.builder().transport(transport)
        .policy(MirrorPolicy.to(shadow.address()).build()).build()) {
      engine.submit(MirroredRequest.builder().method("POST").rawTarget("/empty")
          .headers(Headers.of("Content-Length", "0")).build());
      engine.submit(MirroredRequest.builder().method("GET").rawTarget("/none").build());
      RawShadow.Recorded framed = shadow.take();
      RawShadow.Recorded bodiless = shadow.take();
      if (framed.requestLine().startsWith("GET")) {
        RawShadow.Recorded t = framed;
        framed = bodiless;
        bodiless = t;
      }
      assertThat(framed.header("Content-Length")).isEqualTo("0");
      assertThat(bodiless.header("Content-Length")).isNull();
      assertThat(bodiless.header("Transfer-Encoding")).isNull();
    }
  }

  @Test
  void keptAlive_oneConnectionCarriesSequentialCopies() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
    for (int i = 0; i < 20; i++) {
      assertThat(send(copy(shadow.address(), "GET", "/" + i, Headers.empty(), new byte[0]))
          .statusCode()).isEqualTo(200);
    }
    assertThat(shadow.connections()).isEqualTo(1);
  }

  @Test
  void chunkedAnswer_withExtensionsAndTrailers_isReadToItsEnd_andTheConnectionReused()
      throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n"));
    send(copy(shadow.address(), "GET", "/1", Headers.empty(), new byte[0]));
    send(copy(shadow.address(), "GET", "/2", Headers.empty(), new byte[0]));
    assertThat(shadow.connections()).isEqualTo(1);
  }

  @Test
  void interimAnswers_areSkipped() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of("HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        + "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"));
    ShadowResponse response = send(copy(shadow.address(), "POST", "/", Headers.empty(),
        "x".getBytes(StandardCharsets.US_ASCII)));
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.headers().contains("Link")).isFalse();
  }

  @Test
  void connectionClose_isFollowed_byANewConnectionForTheNextCopy() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.thenClose(
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
    for (int i = 0; i < 3; i++) {
      send(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]));
    }
    assertThat(shadow.connections()).isEqualTo(3);
  }

  @Test
  void answerDelimitedByClose_http10_isComplete() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.thenClose("HTTP/1.0 200 OK\r\n\r\nsome body"));
    assertThat(send(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]))
        .statusCode()).isEqualTo(200);
    assertThat(send(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]))
        .statusCode()).isEqualTo(200);
    assertThat(shadow.connections()).isEqualTo(2);
  }

  @Test
  void headAnswer_hasNoBody_whateverItsContentLength() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
    send(copy(shadow.address(), "HEAD", "/", Headers.empty(), new byte[0]));
    send(copy(shadow.address(), "HEAD", "/", Headers.empty(), new byte[0]));
    assertThat(shadow.connections()).isEqualTo(1);
  }

  @Test
  void aLargeAnswer_isNotRead_itsConnectionIsDroppedInstead() throws Exception {
    int size = 20 * 1024 * 1024;
    byte[] answer = new byte[size + 64];
    byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, answer, 0, head.length);
    byte[] exact = Arrays.copyOf(answer, head.length + size);
    RawShadow shadow = shadow((i, r) -> new Answer(exact, false, false, false));
    assertThat(send(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]))
        .statusCode()).isEqualTo(200);
    assertThat(send(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]))
        .statusCode()).isEqualTo(200);
    assertThat(shadow.connections()).as("20 MB no one needs: completed at its head, not read")
        .isEqualTo(2);
  }

  @Test
  void anAnswerUnderTheSkipLimit_isReadToItsEnd_andItsConnectionReused() throws Exception {
    int size = (int) Http1Connection.SKIP_BODY_BYTES;
    byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] exact = Arrays.copyOf(head, head.length + size);
    RawShadow shadow = shadow((i, r) -> new Answer(exact, false, false, false));
    for (int i = 0; i < 3; i++) {
      assertThat(send(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]))
          .statusCode()).isEqualTo(200);
    }
    assertThat(shadow.connections()).isEqualTo(1);
  }

  @Test
  void aShadowThatClosesAnIdleConnection_getsTheNextCopyOnANewOne() throws Exception {
    // Answers without saying so, then closes: the pooled connection is dead when reused.
    RawShadow shadow = shadow((i, r) -> Answer.thenClose(NO_CONTENT));
    for (int i = 0; i < 5; i++) {
      assertThat(send(copy(shadow.address(), "GET", "/" + i, Headers.empty(), new byte[0]))
          .statusCode()).isEqualTo(204);
    }
    assertThat(shadow.connections()).isEqualTo(5);
  }

  /** Sends many copies at once, as the engine does under load: handed to the loop together. */
  private List<CompletableFuture<ShadowResponse>> burst(String address, int n) throws Exception {
    List<CompletableFuture<ShadowResponse>> all = new ArrayList<>();
    CompletableFuture<Void> handed = new CompletableFuture<>();
    transport.executor().execute(() -> {
      for (int i = 0; i < n; i++) {
        all.add(transport.send(copy(address, "GET", "/b" + i, Headers.empty(), new byte[0])));
      }
      handed.complete(null);
    });
    handed.get(10, TimeUnit.SECONDS);
    return all;
  }

  @Test
  void fastShadow_underABurst_getsRequestsPipelined_andEveryAnswerInOrder() throws Exception {
    RawShadow shadow = shadow((i, r) -> {
      String path = r.requestLine().split(" ")[1];
      return Answer.of("HTTP/1.1 200 OK\r\nX-Path: " + path + "\r\nContent-Length: "
          + path.length() + "\r\n\r\n" + path);
    });
    for (int i = 0; i < Http1Pool.UNCAPPED_AFTER; i++) { // learn that the shadow is fast
      send(copy(shadow.address(), "GET", "/warm", Headers.empty(), new byte[0]));
    }
    List<CompletableFuture<ShadowResponse>> all = burst(shadow.address(), 64);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).get(10, TimeUnit.SECONDS).headers().first("X-Path"))
          .as("each copy completed with its own answer").isEqualTo("/b" + i);
    }
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < Http1Pool.UNCAPPED_AFTER + 64; i++) {
      paths.add(shadow.take().requestLine());
    }
    assertThat(paths).hasSize(Http1Pool.UNCAPPED_AFTER + 64);
    assertThat(shadow.connections()).as("64 copies at once share a few connections, pipelined")
        .isLessThanOrEqualTo(Http1Pool.PIPELINED_CONNECTIONS);
  }

  @Test
  void aShadowThatClosesEveryFifthAnswer_isNotPipelinedPastIt_andEveryCopyIsAnswered()
      throws Exception {
    // As NGINX after keepalive_requests: the fifth answer on a connection says close, and the
    // shadow reads nothing more there.
    java.util.Map<Integer, java.util.concurrent.atomic.AtomicInteger> answers =
        new java.util.concurrent.ConcurrentHashMap<>();
    RawShadow shadow = shadow((i, r) -> answers.computeIfAbsent(r.connection(),
        c -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet() % 5 == 0
        ? Answer.thenClose("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        : Answer.of(NO_CONTENT));
    for (int i = 0; i < 20; i++) {
      send(copy(shadow.address(), "GET", "/warm", Headers.empty(), new byte[0]));
    }
    for (CompletableFuture<ShadowResponse> f : burst(shadow.address(), 40)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
    assertThat(transport.resends()).isZero();
  }

  @Test
  void aBurstAtStartUp_beforeTheShadowsSpeedIsKnown_isSentWhole() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(NO_CONTENT));
    int burst = Http1Pool.MAX_CONNECTING + Http1Pool.MAX_WAITING;
    for (CompletableFuture<ShadowResponse> f : burst(shadow.address(), burst)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
    assertThat(shadow.connections()).as("nothing pipelined before the shadow kept a connection")
        .isLessThanOrEqualTo(Http1Pool.MAX_CONNECTIONS);
    assertThat(transport.resends()).isZero();
  }

  @Test
  void slowShadow_getsOneRequestPerConnection() throws Exception {
    // 120 ms per answer: a second request behind one would come after 240 ms, beyond a quarter
    // of the 800 ms read timeout, so none is pipelined.
    RawShadow shadow = shadow((i, r) -> {
      try {
        Thread.sleep(120);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Answer.of(NO_CONTENT);
    });
    for (int i = 0; i < 16; i++) {
      send(copy(shadow.address(), "GET", "/warm", Headers.empty(), new byte[0]));
    }
    for (CompletableFuture<ShadowResponse> f : burst(shadow.address(), 10)) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(shadow.connections()).as("one connection per copy at once").isEqualTo(10);
  }

  @Test
  void refusedConnection_failsWithConnectException() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    Throwable failure = failure(copy("http://127.0.0.1:" + port, "GET", "/", Headers.empty(),
        new byte[0]));
    assertThat(failure).isInstanceOf(ConnectException.class);
    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureReason.CONNECT);
  }

  @Test
  void unresolvableHost_isAConnectFailure() throws Exception {
    Throwable failure = failure(copy("http://no-such-shadow.invalid", "GET", "/", Headers.empty(),
        new byte[0]));
    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureReason.CONNECT);
  }

  @Test
  void silentShadow_failsWithTheReadTimeout() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.silence());
    long start = System.nanoTime();
    Throwable failure = failure(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(failure).isInstanceOf(HttpTimeoutException.class);
    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureReason.TIMEOUT);
    assertThat(tookMillis).isBetween(700L, 5_000L);
  }

  @Test
  void garbage_failsAsAProtocolError_namingWhatCame() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.thenClose("SSH-2.0-OpenSSH_9.6\r\n"));
    Throwable failure = failure(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]));
    assertThat(failure).isInstanceOf(ProtocolException.class).hasMessageContaining("SSH-2.0");
    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureReason.IO);
  }

  @Test
  void badChunkSize_failsAsAProtocolError() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.thenClose(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
    assertThat(failure(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0])))
        .isInstanceOf(ProtocolException.class).hasMessageContaining("chunk size");
  }

  @Test
  void answerCutShort_failsAsIo() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.thenClose(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part"));
    Throwable failure = failure(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]));
    assertThat(failure).hasMessageContaining("before its answer was complete");
    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureReason.IO);
  }

  @Test
  void resetConnection_failsAsIo() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.reset("HTTP/1.1 200 OK\r\nContent-Le"));
    Throwable failure = failure(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]));
    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureReason.IO);
  }

  @Test
  void aHeaderHttp11CannotCarry_failsAsInvalid_andNothingIsSent() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(NO_CONTENT));
    Throwable failure = failure(copy(shadow.address(), "GET", "/", Headers.of("X-Name", "Zoë ☃"),
        new byte[0]));
    assertThat(failure).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header X-Name");
    assertThat(FailureClassifier.classify(failure)).isEqualTo(FailureReason.INVALID_REQUEST);
    assertThat(shadow.connections()).isZero();
  }

  @Test
  void close_failsWhatIsInFlight_andEndsTheLoopThread() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.silence());
    CompletableFuture<ShadowResponse> pending = transport.send(
        copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0]));
    shadow.take();
    transport.close();
    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(java.io.IOException.class);
    await().atMost(Duration.ofSeconds(5)).until(transport::terminated);
    assertThat(failure(copy(shadow.address(), "GET", "/", Headers.empty(), new byte[0])))
        .hasMessageContaining("closed");
  }
}
