package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.HostHeader;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.PathMode;
import dev.mirror.api.Rewrite;
import dev.mirror.api.ShadowRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
  class BodyCaptureTest {
    private static byte[] bytes(int n) {
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = (byte) i;
      }
      return b;
    }

    private static byte[] toArray(ByteBuffer buffer) {
      byte[] out = new byte[buffer.remaining()];
      buffer.duplicate().get(out);
      return out;
    }

    @Test
    void keepsWhatIsRead_andCompletesAtTheEnd() throws IOException {
      BodyCapture capture = new BodyCapture(100, 10);
      InputStream in = capture.tee(new ByteArrayInputStream(bytes(10)));
      assertThat(in.readAllBytes()).isEqualTo(bytes(10));
      assertThat(capture.complete()).isTrue();
      assertThat(toArray(capture.body())).isEqualTo(bytes(10));
    }

    /**
     * Issue 28: the buffer was allocated at the declared Content-Length before a byte arrived,
     * so 2,048 clients declaring 64 MiB held 128 GiB. Counted twice: the buffer's own size, and
     * the bytes this thread allocated (HotSpot's per-thread allocation counter).
     */
    @Test
    void aDeclared64MiB_withTenBytes_allocatesNoMoreThanArrived() throws IOException {
      int mib64 = 64 * 1024 * 1024;
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
          java.lang.management.ManagementFactory.getThreadMXBean();
      long thread = Thread.currentThread().getId();
      byte[] ten = bytes(10);
      InputStream client = new ByteArrayInputStream(ten);
      byte[] into = new byte[10];
      long before = threads.getThreadAllocatedBytes(thread);
      BodyCapture capture = new BodyCapture(mib64, mib64);
      int read = capture.read(client, into, 0, into.length);
      long allocated = threads.getThreadAllocatedBytes(thread) - before;
      assertThat(read).isEqualTo(10);
      assertThat(capture.capacity()).isEqualTo(10);
      assertThat(allocated).as("bytes allocated by the capture").isLessThan(4096);
      assertThat(toArray(capture.view())).isEqualTo(ten);
      capture.end();
      assertThat(capture.dropReason()).as("10 of 64 MiB").isEqualTo(DropReason.INCOMPLETE_BODY);
    }

    @Test
    void theBuffer_growsAsBytesArrive_atMostTwiceWhatArrived_andExactAtTheDeclaredLength()
        throws IOException {
      BodyCapture undeclared = new BodyCapture(1 << 20, -1);
      for (int i = 0; i < 1000; i++) {
        undeclared.write(i);
        assertThat(undeclared.capacity()).isLessThanOrEqualTo(2 * (i + 1));
      }
      BodyCapture declared = new BodyCapture(1 << 20, 1000);
      declared.tee(new ByteArrayInputStream(bytes(1000))).readAllBytes();
      assertThat(declared.complete()).isTrue();
      assertThat(declared.capacity()).isLessThanOrEqualTo(1000);
      assertThat(toArray(declared.body())).isEqualTo(bytes(1000));
    }

    @Test
    void aBufferThatFindsNoRoomAtTheByteCap_givesTheCopyUp_asQueueFull() {
      java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic
          .AtomicInteger();
      BodyCapture capture = new BodyCapture(1 << 20, -1,
          n -> granted.get() + n <= 100 && granted.addAndGet(n) > 0);
      capture.write(new byte[60], 0, 60);
      assertThat(capture.isOpen()).isTrue();
      capture.write(new byte[60], 0, 60); // would grow to 120: more than the room left
      assertThat(capture.isOpen()).isFalse();
      assertThat(capture.dropReason()).isEqualTo(DropReason.QUEUE_FULL);
      assertThat(granted).hasValue(60);
    }

    @Test
    void oneByteOverTheLimit_givesTheCopyUp_neverTruncates() throws IOException {
      BodyCapture capture = new BodyCapture(10, -1);
      capture.tee(new ByteArrayInputStream(bytes(11))).readAllBytes();
      assertThat(capture.complete()).isFalse();
      assertThat(capture.dropReason()).isEqualTo(DropReason.BODY_TOO_LARGE);
      assertThatThrownBy(capture::body).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBodyShorterThanDeclared_isIncomplete() throws IOException {
      BodyCapture capture = new BodyCapture(100, 20);
      capture.tee(new ByteArrayInputStream(bytes(10))).readAllBytes();
      assertThat(capture.complete()).isFalse();
      assertThat(capture.dropReason()).isEqualTo(DropReason.INCOMPLETE_BODY);
    }

    @Test
    void aReadThatFails_isIncomplete_andTheErrorReachesTheReader() {
      BodyCapture capture = new BodyCapture(100, -1);
      InputStream broken = new InputStream() {
        @Override
        public int read() throws IOException {
          throw new IOException("client went away");
        }
      };
      assertThatThrownBy(() -> capture.read(broken)).hasMessage("client went away");
      assertThat(capture.isOpen()).isFalse();
      assertThat(capture.dropReason()).isEqualTo(DropReason.INCOMPLETE_BODY);
    }

    @Test
    void drain_readsWhatTheApplicationLeft_upToOneBytePastTheLimit() throws IOException {
      BodyCapture capture = new BodyCapture(50, -1);
      InputStream rest = new ByteArrayInputStream(bytes(1000));
      capture.write(bytes(5), 0, 5);
      capture.drain(rest);
      assertThat(capture.dropReason()).isEqualTo(DropReason.BODY_TOO_LARGE);
      assertThat(rest.available()).as("stopped just past the limit").isEqualTo(1000 - 46);
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
