package dev.mirror.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.core.testing.Burst;
import dev.mirror.core.testing.RawH2Shadow;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Core's HTTP/2 sender against a shadow scripted frame by frame ({@link RawH2Shadow}), for what
 * real servers do rarely: a refused stream is sent again (never processed, RFC 9113 §8.7), a
 * few times at most; streams above a GOAWAY's last id go on a new connection, each processed
 * once; a shadow that never sends SETTINGS fails as a connect timeout; a stream answered before
 * its body ended is reset, so it does not count against the shadow's limit.
 */
class Http2FramesTest {

  private final NioHttp2Transport transport = NioHttp2Transport.create("mirror-h2-frames");
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    transport.close();
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private RawH2Shadow shadow(RawH2Shadow.Script script, boolean settings) throws IOException {
    RawH2Shadow shadow = new RawH2Shadow(script, settings);
    closing.add(shadow);
    return shadow;
  }

  private static ShadowRequest copy(RawH2Shadow shadow, int bodyBytes) {
    MirrorTarget target = MirrorTarget.builder("t", shadow.address())
        .readTimeout(Duration.ofSeconds(5)).connectTimeout(Duration.ofMillis(500)).build();
    return new ShadowRequest("p", target, "id", "POST", URI.create(shadow.address() + "/x"),
        Headers.empty(), ByteBuffer.allocate(bodyBytes).asReadOnlyBuffer());
  }

  private static Throwable failure(CompletableFuture<ShadowResponse> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the copy was answered");
  }

  /** Sends these copies at once, as the engine does under load: handed to the loop together. */
  private List<CompletableFuture<ShadowResponse>> burst(List<ShadowRequest> copies)
      throws Exception {
    return Burst.send(transport, copies);
  }

  @Test
  void aRefusedStream_isSentAgain_andProcessedOnce() throws Exception {
    RawH2Shadow shadow = shadow((i, stream) -> i == 0 ? RawH2Shadow.Act.REFUSE
        : RawH2Shadow.Act.ANSWER, true);
    assertThat(transport.send(copy(shadow, 10)).get(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(204);
    assertThat(shadow.processed).hasSize(1);
  }

  @Test
  void aStreamRefusedEveryTime_failsAfterTwoMoreTries() throws Exception {
    RawH2Shadow shadow = shadow((i, stream) -> RawH2Shadow.Act.REFUSE, true);
    assertThat(failure(transport.send(copy(shadow, 10)))).isInstanceOf(IOException.class)
        .hasMessageContaining("REFUSED_STREAM");
    assertThat(shadow.processed).isEmpty();
  }

  @Test
  void streamsAboveAGoAway_goOnANewConnection_eachProcessedOnce() throws Exception {
    RawH2Shadow shadow = shadow((i, stream) -> i == 3 ? RawH2Shadow.Act.GO_AWAY_BEFORE
        : RawH2Shadow.Act.ANSWER, true);
    List<ShadowRequest> copies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      copies.add(copy(shadow, 10));
    }
    for (CompletableFuture<ShadowResponse> f : burst(copies)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
    assertThat(shadow.processed).as("each copy processed once").hasSize(6)
        .doesNotHaveDuplicates();
    assertThat(shadow.connections.get()).isEqualTo(2);
  }

  @Test
  void aShadowThatNeverSendsSettings_failsAsAConnectTimeout() throws Exception {
    RawH2Shadow shadow = shadow((i, stream) -> RawH2Shadow.Act.ANSWER, false);
    assertThat(failure(transport.send(copy(shadow, 10))))
        .isInstanceOf(HttpConnectTimeoutException.class).hasMessageContaining("SETTINGS");
    assertThat(shadow.processed).isEmpty();
  }

  @Test
  void aStreamAnsweredBeforeItsBodyEnded_isReset() throws Exception {
    RawH2Shadow shadow = shadow((i, stream) -> RawH2Shadow.Act.ANSWER_ON_HEADERS, true);
    // More than the default window: the body waits for a WINDOW_UPDATE that never comes.
    assertThat(transport.send(copy(shadow, 200_000)).get(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(204);
    await().atMost(Duration.ofSeconds(10)).until(() -> !shadow.resets.isEmpty());
    assertThat(shadow.resets).containsExactly("1:1:8"); // CANCEL
  }
}
