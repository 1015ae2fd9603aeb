package dev.mirror.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.TransportFullException;
import dev.mirror.core.internal.http2.Http2Pool;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Core's HTTP/2 sender ({@link NioHttp2Transport}) against Jetty 12's HTTP/2 server (prior
 * knowledge h2c), a server we did not write: bodies both ways beyond the default windows (flow
 * control), trailers, the shadow's stream limit, a slow answer and a reset stream failing only
 * their own copy, nothing sent twice, and a shadow that does not speak HTTP/2.
 */
class Http2SenderTest {

  private static final int MAX_STREAMS = 8;
  private static Server server;
  private static ServerConnector connector;
  private static final Set<String> ids = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger duplicates = new AtomicInteger();
  private static final Set<Integer> remotePorts = ConcurrentHashMap.newKeySet();
  private static final CountDownLatch slowReleased = new CountDownLatch(1);
  /** Holds /held answers until the test lets them go; new per test. */
  private static volatile CountDownLatch heldReleased = new CountDownLatch(0);

  private NioHttp2Transport transport;

  @BeforeAll
  static void startJetty() throws Exception {
    server = new Server();
    HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(new HttpConfiguration());
    h2c.setMaxConcurrentStreams(MAX_STREAMS);
    connector = new ServerConnector(server, h2c);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        String id = request.getHeaders().get("x-id");
        if (id != null && !ids.add(id)) {
          duplicates.incrementAndGet();
        }
        remotePorts.add(Request.getRemotePort(request));
        ByteBuffer body = Content.Source.asByteBuffer(request);
        String path = request.getHttpURI().getPath();
        if (path.equals("/slow")) {
          slowReleased.await(10, TimeUnit.SECONDS); // answers only after the test let it go
        }
        if (path.equals("/held")) {
          heldReleased.await(10, TimeUnit.SECONDS);
        }
        response.setStatus(200);
        response.getHeaders().put("x-got-length", body.remaining());
        response.getHeaders().put("x-got-method", request.getMethod());
        response.getHeaders().put("x-got-query", String.valueOf(request.getHttpURI().getQuery()));
        response.getHeaders().put("x-got-custom", String.valueOf(request.getHeaders()
            .get("x-custom")));
        response.getHeaders().put("x-id", String.valueOf(id));
        response.setTrailersSupplier(() -> HttpFields.build().put("grpc-status", "0"));
        int answer = Integer.parseInt(String.valueOf(request.getHeaders().get("x-answer-bytes"))
            .replace("null", "0"));
        if (path.equals("/reset")) {
          response.write(false, ByteBuffer.allocate(10), Callback.from(
              () -> callback.failed(new IOException("reset by the test")), callback::failed));
          return true;
        }
        response.write(true, ByteBuffer.allocate(answer), callback);
        return true;
      }
    });
    server.start();
  }

  @AfterAll
  static void stopJetty() throws Exception {
    slowReleased.countDown();
    server.stop();
  }

  @BeforeEach
  void newTransport() {
    heldReleased = new CountDownLatch(1);
    transport = NioHttp2Transport.create("mirror-h2-test");
  }

  @org.junit.jupiter.api.AfterEach
  void closeTransport() {
    heldReleased.countDown();
    transport.close();
  }

  private static MirrorTarget target(int port, Duration readTimeout) {
    return MirrorTarget.builder("t", "http://127.0.0.1:" + port).readTimeout(readTimeout)
        .connectTimeout(Duration.ofSeconds(2)).build();
  }

  private static ShadowRequest copy(MirrorTarget target, String id, String path, int bodyBytes,
      int answerBytes) {
    return new ShadowRequest("p", target, id, "POST",
        URI.create(target.address() + path + "?q=" + id),
        Headers.of("X-Id", id, "X-Custom", "custom " + id, "Connection", "keep-alive",
            "X-Answer-Bytes", Integer.toString(answerBytes), "Host", "ignored.example"),
        ByteBuffer.allocate(bodyBytes).asReadOnlyBuffer());
  }

  private static ShadowResponse answer(CompletableFuture<ShadowResponse> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<ShadowResponse> f) throws Exception {
    try {
      f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the copy was answered");
  }

  @Test
  void bodiesBothWaysBeyondTheWindowsWithTrailers() throws Exception {
    MirrorTarget target = target(connector.getLocalPort(), Duration.ofSeconds(10));
    int[][] shapes = {{0, 0}, {1024, 10}, {200_000, 100}, {10, 3 * 1024 * 1024}};
    for (int[] shape : shapes) {
      String id = "body-" + shape[0] + "-" + shape[1];
      ShadowResponse r = answer(transport.send(copy(target, id, "/echo", shape[0], shape[1])));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().first("x-got-length")).isEqualTo(Integer.toString(shape[0]));
      assertThat(r.headers().first("x-got-method")).isEqualTo("POST");
      assertThat(r.headers().first("x-got-query")).isEqualTo("q=" + id);
      assertThat(r.headers().first("x-got-custom")).isEqualTo("custom " + id);
      assertThat(r.headers().first("grpc-status")).as("trailers").isEqualTo("0");
    }
    assertThat(duplicates).hasValue(0);
  }

  @Test
  void manyCopiesAtOnceWithinTheShadowsStreamLimitEachOnce() throws Exception {
    MirrorTarget target = target(connector.getLocalPort(), Duration.ofSeconds(10));
    List<CompletableFuture<ShadowResponse>> all = new ArrayList<>();
    for (int i = 0; i < Http2Pool.MAX_STREAMS; i++) {
      all.add(transport.send(copy(target, "many-" + i, "/echo", 512, 16)));
    }
    for (int i = 0; i < all.size(); i++) {
      assertThat(answer(all.get(i)).headers().first("x-id")).isEqualTo("many-" + i);
    }
    assertThat(ids).contains("many-0", "many-" + (Http2Pool.MAX_STREAMS - 1));
    assertThat(duplicates).hasValue(0);
  }

  @Test
  void copiesBeyondTheStreamCap_areTurnedAwayAtOnce_andTheOthersAnswered() throws Exception {
    MirrorTarget target = target(connector.getLocalPort(), Duration.ofSeconds(10));
    List<CompletableFuture<ShadowResponse>> held = new ArrayList<>();
    for (int i = 0; i < Http2Pool.MAX_STREAMS; i++) {
      held.add(transport.send(copy(target, "held-" + i, "/held", 10, 0)));
    }
    // The shadow answers none of them yet: one more has no room, and is told so without waiting.
    CompletableFuture<ShadowResponse> beyond = transport.send(copy(target, "beyond", "/echo", 10,
        0));
    assertThat(failure(beyond)).isInstanceOf(TransportFullException.class)
        .hasMessageContaining(Http2Pool.MAX_STREAMS + " streams");
    assertThat(held).noneMatch(CompletableFuture::isDone);
    heldReleased.countDown();
    for (int i = 0; i < held.size(); i++) {
      assertThat(answer(held.get(i)).headers().first("x-id")).isEqualTo("held-" + i);
    }
    assertThat(answer(transport.send(copy(target, "after-cap", "/echo", 10, 0))).statusCode())
        .isEqualTo(200);
    assertThat(ids).doesNotContain("beyond");
    assertThat(duplicates).hasValue(0);
  }

  @Test
  void aSlowAnswerFailsOnlyItsOwnCopy() throws Exception {
    int portsBefore = remotePorts.size();
    MirrorTarget target = target(connector.getLocalPort(), Duration.ofMillis(400));
    CompletableFuture<ShadowResponse> slow = transport.send(copy(target, "slow", "/slow", 10, 0));
    List<CompletableFuture<ShadowResponse>> fast = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fast.add(transport.send(copy(target, "beside-slow-" + i, "/echo", 10, 0)));
    }
    assertThat(failure(slow)).isInstanceOf(HttpTimeoutException.class);
    for (CompletableFuture<ShadowResponse> f : fast) {
      assertThat(answer(f).statusCode()).isEqualTo(200);
    }
    // The connection goes on after the timeout: later copies are answered on it.
    for (int i = 0; i < 5; i++) {
      assertThat(answer(transport.send(copy(target, "after-slow-" + i, "/echo", 10, 0)))
          .statusCode()).isEqualTo(200);
    }
    assertThat(remotePorts.size() - portsBefore).as("connections opened").isEqualTo(1);
    slowReleased.countDown();
    assertThat(duplicates).hasValue(0);
  }

  @Test
  void aResetStreamFailsOnlyItsOwnCopy() throws Exception {
    MirrorTarget target = target(connector.getLocalPort(), Duration.ofSeconds(5));
    CompletableFuture<ShadowResponse> reset = transport.send(copy(target, "reset", "/reset", 10,
        0));
    CompletableFuture<ShadowResponse> beside = transport.send(copy(target, "beside-reset",
        "/echo", 10, 0));
    assertThat(failure(reset)).isInstanceOf(IOException.class).hasMessageContaining("reset");
    assertThat(answer(beside).statusCode()).isEqualTo(200);
  }

  @Test
  void aClosedPortFailsAsConnect() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    assertThat(failure(transport.send(copy(target(port, Duration.ofSeconds(2)), "refused",
        "/echo", 1, 0)))).isInstanceOf(ConnectException.class);
  }

  @Test
  void aShadowThatSpeaksOnlyHttp11FailsTheCopyWithoutHanging() throws Exception {
    Server http11 = new Server();
    ServerConnector plain = new ServerConnector(http11, new HttpConnectionFactory());
    plain.setHost("127.0.0.1");
    plain.setPort(0);
    http11.addConnector(plain);
    http11.start();
    try {
      Throwable cause = failure(transport.send(copy(target(plain.getLocalPort(),
          Duration.ofSeconds(5)), "h1", "/echo", 1, 0)));
      assertThat(cause).isInstanceOf(IOException.class);
    } finally {
      http11.stop();
    }
  }
}
