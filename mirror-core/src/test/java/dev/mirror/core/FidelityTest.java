package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Headers;
import dev.mirror.api.HostHeader;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.api.PathMode;
import dev.mirror.api.Rewrite;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.core.testing.Shadow;
import java.time.Duration;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shadow gets what the client sent, less what must not cross a hop, plus what we add. */
class FidelityTest {

  private Shadow shadow;
  private MirrorEngine engine;

  @BeforeEach
  void start() throws Exception {
    shadow = Shadow.answering(200);
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    shadow.close();
  }

  private static byte[] allByteValues() {
    byte[] body = new byte[512];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i;
    }
    return body;
  }

  @Test
  void copy_carriesMethodRawTargetRepeatedHeadersAndBinaryBody_byteExact() throws Exception {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to(shadow.address()).build()).build();
    String rawTarget = "/a%2Fb/c+d%20e;m=1?q=a+b&q=%E2%9C%93&x=%2B&empty=&flag&q=3";
    MirroredRequest request = MirroredRequest.builder()
        .method("PUT").scheme("https").host("original.example:8443")
        .rawTarget(rawTarget)
        .headers(Headers.of(
            "Host", "original.example:8443",
            "X-Multi", "1", "Accept", "application/json", "X-Multi", "2", "x-multi", "3",
            "Connection", "keep-alive, X-Hop", "X-Hop", "secret-hop", "Keep-Alive", "timeout=5",
            "Proxy-Authorization", "Basic Zm9v", "Proxy-Connection", "keep-alive", "TE", "trailers",
            "Trailer", "X-T", "Transfer-Encoding", "chunked", "Upgrade", "h2c",
            "Content-Length", "9999", "Expect", "100-continue",
            "X-Forwarded-For", "10.0.0.1", "Content-Type", "application/octet-stream"))
        .body(allByteValues())
        .remoteAddress("192.0.2.7")
        .build();

    assertThat(engine.submit(request).outcome()).isEqualTo(Outcome.ACCEPTED);

    RecordedRequest received = shadow.take();
    assertThat(received.getMethod()).isEqualTo("PUT");
    assertThat(received.getTarget()).isEqualTo(rawTarget);
    assertThat(received.getHeaders().values("X-Multi")).containsExactly("1", "2", "3");
    assertThat(received.getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(received.getBody().toByteArray()).isEqualTo(allByteValues());
    assertThat(received.getHeaders().get("Content-Length")).isEqualTo("512");
    for (String hop : new String[] {"Connection", "X-Hop", "Keep-Alive", "Proxy-Authorization",
        "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Expect"}) {
      assertThat(received.getHeaders().get(hop)).as(hop).isNull();
    }
    assertThat(received.getHeaders().get("Host")).isEqualTo("original.example:8443");
    assertThat(received.getHeaders().get("X-Forwarded-For")).isEqualTo("10.0.0.1, 192.0.2.7");
    assertThat(received.getHeaders().get("X-Forwarded-Proto")).isEqualTo("https");
    assertThat(received.getHeaders().get("X-Forwarded-Host")).isEqualTo("original.example:8443");
    assertThat(received.getHeaders().get(MirrorPolicy.DEFAULT_MARKER_HEADER)).isNotBlank();

    await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().target("default").sent() == 1);
    TargetStats stats = engine.stats().target("default");
    assertThat(stats.responses(2)).isEqualTo(1);
    assertThat(stats.inFlight()).isZero();
  }

  @Test
  void copy_ofAnEmptyGet_hasNoBody_andTheGivenRequestIdInTheConfiguredMarker() throws Exception {
    engine = MirrorEngine.builder()
        .policy(MirrorPolicy.to(shadow.address()).markerHeader("X-Shadow-Of").build()).build();
    engine.submit(MirroredRequest.builder().id("req-1").rawTarget("/x").build());

    RecordedRequest received = shadow.take();
    assertThat(received.getMethod()).isEqualTo("GET");
    assertThat(received.getBodySize()).isZero();
    assertThat(received.getHeaders().get("X-Shadow-Of")).isEqualTo("req-1");
    assertThat(received.getHeaders().get("X-Forwarded-Host")).isNull();
  }

  @Test
  void pathOverride_replaceAndPrefix_keepTheQuery() throws Exception {
    MirrorTarget target = MirrorTarget.builder("t", shadow.address()).build();
    engine = MirrorEngine.builder()
        .policy(MirrorPolicy.builder("replace").target(target)
            .filter(dev.mirror.api.RequestFilter.builder().includePaths("/r/**").build())
            .rewrite(Rewrite.builder().path("/shadow", PathMode.REPLACE).build()).build())
        .policy(MirrorPolicy.builder("prefix").target(target)
            .rewrite(Rewrite.builder().path("/v2", PathMode.PREFIX).build()).build())
        .build();

    engine.submit(MirroredRequest.builder().rawTarget("/r/a?x=1+2").build());
    assertThat(shadow.take().getTarget()).isEqualTo("/shadow?x=1+2");
    engine.submit(MirroredRequest.builder().rawTarget("/p/a?x=%20").build());
    assertThat(shadow.take().getTarget()).isEqualTo("/v2/p/a?x=%20");
  }

  @Test
  void hostHeader_targetAndLiteralModes() throws Exception {
    MirrorTarget.Builder target = MirrorTarget.builder("t", shadow.address());
    engine = MirrorEngine.builder()
        .policy(MirrorPolicy.builder("target").target(target.hostHeader(HostHeader.target()).build())
            .filter(dev.mirror.api.RequestFilter.builder().methods("GET").build()).build())
        .policy(MirrorPolicy.builder("literal")
            .target(target.hostHeader(HostHeader.literal("shadow.internal:81")).build()).build())
        .build();
    engine.submit(MirroredRequest.builder().host("orig.example").build());
    assertThat(shadow.take().getHeaders().get("Host"))
        .isEqualTo(shadow.address().substring("http://".length()));
    engine.submit(MirroredRequest.builder().method("POST").host("orig.example").build());
    assertThat(shadow.take().getHeaders().get("Host")).isEqualTo("shadow.internal:81");
  }

  @Test
  void rewrite_removesMasksAndSetsHeadersOnTheCopyOnly() throws Exception {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to(shadow.address())
        .rewrite(Rewrite.builder().removeHeaders("Cookie").maskHeaders("Authorization")
            .setHeader("X-Env", "shadow").removeHeaders(MirrorPolicy.DEFAULT_MARKER_HEADER)
            .build())
        .build()).build();
    Headers original = Headers.of("Authorization", "Bearer s3cret", "Cookie", "sid=1",
        "X-Env", "prod");
    engine.submit(MirroredRequest.builder().headers(original).build());

    RecordedRequest received = shadow.take();
    assertThat(received.getHeaders().get("Authorization")).isEqualTo("[masked]");
    assertThat(received.getHeaders().get("Cookie")).isNull();
    assertThat(received.getHeaders().values("X-Env")).containsExactly("shadow");
    assertThat(received.getHeaders().get(MirrorPolicy.DEFAULT_MARKER_HEADER))
        .as("the marker cannot be removed: it prevents loops").isNotBlank();
    assertThat(original.first("Authorization")).isEqualTo("Bearer s3cret");
  }

  @Test
  void redaction_masksCredentialsNamedCookiesAndQueryParams_keepingTheRestExact()
      throws Exception {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to(shadow.address())
        .rewrite(Rewrite.builder().redactCredentials(true).redactCookies("SESSION")
            .redactQueryParams("token", "api key").build())
        .build()).build();
    engine.submit(MirroredRequest.builder()
        .rawTarget("/a?q=x+y&token=s3cret&api%20key=k&z=%2F")
        .headers(Headers.of("Authorization", "Bearer s3cret", "Cookie", "theme=dark; SESSION=abc",
            "Proxy-Authorization", "Basic eA=="))
        .build());
    RecordedRequest received = shadow.take();
    assertThat(received.getTarget())
        .isEqualTo("/a?q=x+y&token=%5Bmasked%5D&api%20key=%5Bmasked%5D&z=%2F");
    assertThat(received.getHeaders().get("Authorization")).isEqualTo("[masked]");
    assertThat(received.getHeaders().get("Cookie")).isEqualTo("[masked]");
    assertThat(received.getHeaders().get("Proxy-Authorization")).isNull();
  }

  @Test
  void redaction_removeMode_leavesThemOut() throws Exception {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to(shadow.address())
        .rewrite(Rewrite.builder().redactCredentials(false).redactCookies("SESSION")
            .redactQueryParams("token").redactMode(Rewrite.RedactMode.REMOVE).build())
        .build()).build();
    engine.submit(MirroredRequest.builder().rawTarget("/a?token=1&q=2&token=3")
        .headers(Headers.of("Cookie", "SESSION=abc; theme=dark", "Cookie", "SESSION=only"))
        .build());
    RecordedRequest received = shadow.take();
    assertThat(received.getTarget()).isEqualTo("/a?q=2");
    assertThat(received.getHeaders().values("Cookie")).containsExactly("theme=dark");
  }

  @Test
  void noRequestHeader_changesWhereTheCopyGoes() throws Exception {
    engine = MirrorEngine.builder().policy(MirrorPolicy.to(shadow.address()).build()).build();
    engine.submit(MirroredRequest.builder().rawTarget("/x").host("evil.example:1")
        .headers(Headers.of("Host", "evil.example:1", "X-Forwarded-Host", "evil.example",
            "X-Mirror-Target", "http://evil.example", "Forwarded", "host=evil.example"))
        .build());
    RecordedRequest received = shadow.take();
    assertThat(received.getTarget()).isEqualTo("/x");
    assertThat(received.getHeaders().get("Host")).isEqualTo("evil.example:1");
  }
}
