package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.Headers;
import dev.mirror.api.HostHeader;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.PathMode;
import dev.mirror.api.Rewrite;
import dev.mirror.api.ShadowRequest;
import dev.mirror.core.internal.RateLimitedLog;
import dev.mirror.core.internal.scrub.Redactor;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The engine's internals on their own, with a fake clock where time matters: what the container
 * suites cover only from outside.
 */
class CoreUnitsTest {

  /** A clock the test moves by hand. */
  static final class FakeClock {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    long now() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  @Nested
  class CircuitBreakerTest {
    @Test
    void opensAfterTheThreshold_probesOncePerCoolDown_andClosesOnSuccess() {
      FakeClock clock = new FakeClock();
      CircuitBreaker circuit = new CircuitBreaker(3, Duration.ofSeconds(10).toNanos(), clock::now);
      circuit.onFailure();
      circuit.onFailure();
      assertThat(circuit.allow()).isTrue();
      circuit.onFailure();
      assertThat(circuit.isOpen()).isTrue();
      assertThat(circuit.allow()).isFalse();

      clock.advance(Duration.ofSeconds(10));
      assertThat(circuit.allow()).as("one probe").isTrue();
      assertThat(circuit.allow()).as("only one").isFalse();
      circuit.onSuccess();
      assertThat(circuit.isOpen()).isFalse();
      assertThat(circuit.allow()).isTrue();
    }

    @Test
    void aFailedProbe_keepsItOpenForAnotherCoolDown() {
      FakeClock clock = new FakeClock();
      CircuitBreaker circuit = new CircuitBreaker(1, Duration.ofSeconds(5).toNanos(), clock::now);
      circuit.onFailure();
      clock.advance(Duration.ofSeconds(5));
      assertThat(circuit.allow()).isTrue();
      circuit.onFailure();
      clock.advance(Duration.ofSeconds(4));
      assertThat(circuit.allow()).isFalse();
      clock.advance(Duration.ofSeconds(1));
      assertThat(circuit.allow()).isTrue();
    }
  }

  @Nested
  class RateLimitedLogTest {
    @Test
    void letsOneLinePerIntervalThroughPerKey_andCountsWhatItHeldBack() {
      FakeClock clock = new FakeClock();
      RateLimitedLog log = new RateLimitedLog(Duration.ofSeconds(10), clock::now);
      assertThat(log.pass("a")).isZero();
      assertThat(log.pass("a")).isNull();
      assertThat(log.pass("a")).isNull();
      assertThat(log.pass("b")).as("another key").isZero();
      clock.advance(Duration.ofSeconds(10));
      assertThat(log.pass("a")).as("held back in the last interval").isEqualTo(2);
      assertThat(log.pass("a")).isNull();
    }
  }

  @Nested
  class RedactorTest {
    @Test
    void masksOrRemovesCredentials_namedCookies_andQueryParameters() {
      Rewrite mask = Rewrite.builder().redactCredentials(true).redactCookies("SESSION")
          .redactQueryParams("api_key").build();
      Headers.Builder headers = Headers.of("Authorization", "Bearer s", "X-Other", "kept")
          .toBuilder();
      Redactor.redactHeaders(headers, mask);
      assertThat(headers.build().first("Authorization")).isEqualTo(Rewrite.DEFAULT_MASK_VALUE);
      assertThat(headers.build().first("X-Other")).isEqualTo("kept");
      assertThat(Redactor.redactQuery("q=1&api_key=k&api%5Fkey=k2", mask))
          .isEqualTo("q=1&api_key=%5Bmasked%5D&api%5Fkey=%5Bmasked%5D");

      Rewrite remove = Rewrite.builder().redactCredentials(false).redactCookies("SESSION")
          .redactQueryParams("api_key").redactMode(Rewrite.RedactMode.REMOVE).build();
      Headers.Builder cookies = Headers.of("Cookie", "a=1; SESSION=abc; b=2").toBuilder();
      Redactor.redactHeaders(cookies, remove);
      assertThat(cookies.build().first("Cookie")).isEqualTo("a=1; b=2");
      assertThat(Redactor.redactQuery("api_key=k", remove)).isEmpty();
      assertThat(Redactor.redactQuery("q=1", remove)).as("unchanged text kept as it was")
          .isEqualTo("q=1");
      assertThat(Redactor.redactQuery(null, remove)).isNull();
    }
  }

  @Nested
  class CopyComposerTest {
    private final MirrorTarget target = MirrorTarget.builder("t", "http://shadow:8080").build();

    @Test
    void dropsHopByHopHeaders_keepsTheClientsHost_andAddsForwardingAndTheMarker() {
      MirroredRequest request = MirroredRequest.builder().method("POST").scheme("https")
          .host("shop.example").rawTarget("/orders?id=1")
          .headers(Headers.of("Host", "shop.example", "Connection", "close, X-Hop",
              "X-Hop", "1", "Keep-Alive", "5", "Transfer-Encoding", "chunked",
              "X-Forwarded-For", "10.0.0.1", "Accept", "*/*"))
          .remoteAddress("192.0.2.7").body(new byte[] {1, 2, 3}).build();
      MirrorPolicy policy = MirrorPolicy.to("http://shadow:8080").build();
      ShadowRequest copy = CopyComposer.compose(policy, target, request, "id-9");

      assertThat(copy.uri().toString()).isEqualTo("http://shadow:8080/orders?id=1");
      Headers h = copy.headers();
      assertThat(h.first("Host")).isEqualTo("shop.example");
      assertThat(h.contains("Connection")).isFalse();
      assertThat(h.contains("X-Hop")).as("named by Connection").isFalse();
      assertThat(h.contains("Keep-Alive")).isFalse();
      assertThat(h.contains("Transfer-Encoding")).isFalse();
      assertThat(h.contains("Content-Length")).as("a body's length is the transport's").isFalse();
      assertThat(h.first("X-Forwarded-For")).isEqualTo("10.0.0.1, 192.0.2.7");
      assertThat(h.first("X-Forwarded-Proto")).isEqualTo("https");
      assertThat(h.first(policy.markerHeader())).isEqualTo("id-9");
      assertThat(h.first("Accept")).isEqualTo("*/*");
    }

    @Test
    void anEmptyBodyTheClientFramed_keepsContentLengthZero_aBodilessOneHasNone() {
      MirrorPolicy policy = MirrorPolicy.to("http://shadow:8080").build();
      ShadowRequest framed = CopyComposer.compose(policy, target, MirroredRequest.builder()
          .method("POST").headers(Headers.of("Content-Length", "0")).build(), "a");
      ShadowRequest bare = CopyComposer.compose(policy, target, MirroredRequest.builder()
          .method("GET").build(), "b");
      assertThat(framed.headers().first("Content-Length")).isEqualTo("0");
      assertThat(bare.headers().contains("Content-Length")).isFalse();
    }

    @Test
    void rewritesThePath_andTheHostAsTheTargetSays() {
      MirrorPolicy policy = MirrorPolicy.builder("p")
          .target(target.toBuilder().hostHeader(HostHeader.literal("shadow.internal")).build())
          .rewrite(Rewrite.builder().path("/v2", PathMode.PREFIX).build()).build();
      ShadowRequest copy = CopyComposer.compose(policy, policy.targets().get(0),
          MirroredRequest.builder().host("shop.example").rawTarget("/a?b=1").build(), "c");
      assertThat(copy.uri().getRawPath()).isEqualTo("/v2/a");
      assertThat(copy.headers().first("Host")).isEqualTo("shadow.internal");
    }

    @Test
    void traceparent_keepsTheTrace_withANewSpanForTheCopy_tracestateAsItCame() {
      MirrorPolicy policy = MirrorPolicy.builder("p").target(target).build();
      String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      ShadowRequest copy = CopyComposer.compose(policy, target, MirroredRequest.builder()
          .headers(dev.mirror.api.Headers.of("traceparent", parent, "tracestate", "vendor=1"))
          .build(), "t");
      String child = copy.headers().first("traceparent");
      assertThat(child).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01")
          .hasSize(55).isNotEqualTo(parent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
      assertThat(copy.headers().values("traceparent")).hasSize(1);
      assertThat(copy.headers().first("tracestate")).isEqualTo("vendor=1");
      ShadowRequest odd = CopyComposer.compose(policy, target, MirroredRequest.builder()
          .headers(dev.mirror.api.Headers.of("traceparent", "not-a-trace")).build(), "u");
      assertThat(odd.headers().first("traceparent")).isEqualTo("not-a-trace");
    }
  }
}
