package dev.mirror.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.FailureReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.testing.BlackHole;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.Shadow;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Jetty transport keeps the copy's bytes and counts failures under the same reasons. */
class JettyTransportTest {

  private MirrorEngine engine;
  private final java.util.List<JettyTransport> transports = new java.util.ArrayList<>();

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    transports.forEach(JettyTransport::close); // passed in, so ours to close
  }

  private MirrorEngine engine(MirrorTarget target) {
    JettyTransport transport = JettyTransport.create();
    transports.add(transport);
    engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p").target(target).build())
        .transport(transport).closeTimeout(Duration.ofMillis(500)).build();
    return engine;
  }

  @Test
  void copy_keepsRawTargetRepeatedHeadersBodyAndOriginalHost() throws Exception {
    try (Shadow shadow = Shadow.answering(200)) {
      engine(MirrorTarget.builder("t", shadow.address()).build());
      byte[] body = new byte[300];
      for (int i = 0; i < body.length; i++) {
        body[i] = (byte) i;
      }
      String rawTarget = "/a%20b/c+d?q=a+b&q=%E2%9C%93&x=%2B&flag";
      engine.submit(MirroredRequest.builder().method("PUT").rawTarget(rawTarget)
          .host("original.example:8443").remoteAddress("192.0.2.7")
          .headers(Headers.of("X-Multi", "1", "X-Multi", "2", "Connection", "keep-alive"))
          .body(body).build());
      RecordedRequest copy = shadow.take();
      assertThat(copy.getMethod()).isEqualTo("PUT");
      assertThat(copy.getTarget()).isEqualTo(rawTarget);
      assertThat(copy.getHeaders().values("X-Multi")).containsExactly("1", "2");
      assertThat(copy.getHeaders().get("Host")).isEqualTo("original.example:8443");
      assertThat(copy.getHeaders().get("X-Forwarded-For")).isEqualTo("192.0.2.7");
      assertThat(copy.getBody().toByteArray()).isEqualTo(body);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("t").responses(2) == 1);
    }
  }

  @Test
  void failures_areCountedUnderTheirReasons() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = socket.getLocalPort();
    }
    engine(MirrorTarget.builder("t", "http://127.0.0.1:" + closed).build());
    engine.submit(MirroredRequest.builder().build());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("t").failed(FailureReason.CONNECT) == 1);
    engine.close();

    engine(MirrorTarget.builder("t", "http://no-such-host.invalid").build());
    engine.submit(MirroredRequest.builder().build());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("t").failed(FailureReason.CONNECT) == 1);
    engine.close();

    try (BlackHole hole = new BlackHole()) {
      engine(MirrorTarget.builder("t", hole.address()).readTimeout(Duration.ofMillis(300)).build());
      engine.submit(MirroredRequest.builder().build());
      await().atMost(Duration.ofSeconds(10))
          .until(() -> engine.stats().target("t").failed(FailureReason.TIMEOUT) == 1);
    }
  }

  @Test
  void chosenByConfiguration_andClosedWithTheEngine() throws Exception {
    try (Shadow shadow = Shadow.answering(204)) {
      engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
          "mirror.transport", "jetty")).newEngine();
      engine.submit(MirroredRequest.builder().rawTarget("/configured").build());
      assertThat(shadow.take().getTarget()).isEqualTo("/configured");
      engine.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet()
          .stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("mirror-jetty")));
    }
  }
}
