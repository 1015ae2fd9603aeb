package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.core.testing.Shadow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 28: under a policy that scrubs, a body the scrubber cannot classify or parse is dropped
 * as {@code SCRUB_FAILED} unless the operator chose to send it; ndjson is scrubbed line by line
 * and the path by the detectors.
 */
class ScrubFailsClosedTest {

  private Shadow shadow;
  private MirrorEngine engine;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    if (shadow != null) {
      shadow.close();
    }
  }

  private void engine(String... keyValues) throws Exception {
    if (engine != null) {
      engine.close();
      shadow.close();
    }
    shadow = Shadow.answering(200);
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.host", shadow.address());
    for (int i = 0; i < keyValues.length; i += 2) {
      keys.put(keyValues[i], keyValues[i + 1]);
    }
    engine = MirrorConfig.parse(keys).newEngine();
  }

  private static MirroredRequest post(String target, String contentType, String body) {
    Headers headers = contentType.isEmpty() ? Headers.empty()
        : Headers.of("Content-Type", contentType);
    return MirroredRequest.builder().method("POST").rawTarget(target).headers(headers)
        .body(body.getBytes(StandardCharsets.UTF_8)).build();
  }

  private RecordedRequest sent(MirroredRequest request) throws Exception {
    assertThat(engine.submit(request).outcome()).isEqualTo(Outcome.ACCEPTED);
    return shadow.take();
  }

  private void dropped(MirroredRequest request, long total) {
    assertThat(engine.submit(request).outcome()).isEqualTo(Outcome.ACCEPTED);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        engine.stats().target("default").dropped(DropReason.SCRUB_FAILED) == total);
    assertThat(shadow.server.getRequestCount()).as("nothing reached the shadow").isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no Content-Type||mirror.scrub-patterns|email",
      "unknown type|application/octet-stream|mirror.scrub-patterns|email",
      "a multipart file of an unknown type|multipart/form-data; boundary=b|mirror.scrub-patterns|email",
      "multipart without its close delimiter|multipart/mixed; boundary=b|mirror.scrub-patterns|email",
      "JSON sent as text/plain|text/plain|mirror.redact-json-fields|/password",
      "ndjson with a malformed line|application/x-ndjson|mirror.redact-json-fields|/password",
  })
  void aBodyItCannotBeSureOf_isDropped_unlessTheOperatorChoseToSendIt(String what, String type,
      String key, String value) throws Exception {
    type = type == null ? "" : type;
    String body = type.startsWith("multipart/form")
        ? "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\nzoe@example.com\r\n--b--\r\n"
        : type.startsWith("multipart")
        ? "--b\r\nContent-Type: text/plain\r\n\r\nzoe@example.com\r\n--b\r\n"
        : type.contains("ndjson") ? "{\"password\":\"hunter2\"}\n{\"password\":\n"
        : " {\"password\":\"hunter2\",\"mail\":\"zoe@example.com\"}";
    engine(key, value);
    dropped(post("/in", type, body), 1);

    engine(key, value, "mirror.scrub-on-failure", "send");
    RecordedRequest copy = sent(post("/in", type, body));
    assertThat(copy.getBody().utf8()).as("sent unchanged, as chosen").isEqualTo(body);
    assertThat(engine.stats().target("default").dropped(DropReason.SCRUB_FAILED)).isZero();
  }

  @Test
  void multipartBodies_areScrubbedPartByPart() throws Exception {
    engine("mirror.redact-form-fields", "password", "mirror.redact-json-fields", "/card",
        "mirror.scrub-patterns", "email");
    String body = "preamble\r\n--XyZ\r\n"
        + "Content-Disposition: form-data; name=\"password\"\r\n\r\nhunter2\r\n--XyZ\r\n"
        + "Content-Disposition: form-data; name=\"note\"\r\n\r\nwrite to zoe@example.com\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"card\":\"4111\",\"n\":1}\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"plain\"\r\n\r\nkept as is\r\n"
        + "--XyZ--\r\nepilogue";
    String copy = sent(post("/in", "multipart/form-data; boundary=\"XyZ\"", body)).getBody()
        .utf8();
    assertThat(copy).isEqualTo("preamble\r\n--XyZ\r\n"
        + "Content-Disposition: form-data; name=\"password\"\r\n\r\n[masked]\r\n--XyZ\r\n"
        + "Content-Disposition: form-data; name=\"note\"\r\n\r\nwrite to [masked]\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"card\":\"[masked]\",\"n\":1}\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"plain\"\r\n\r\nkept as is\r\n"
        + "--XyZ--\r\nepilogue");
    assertThat(engine.stats().target("default").dropped(DropReason.SCRUB_FAILED)).isZero();
  }

  @Test
  void aPolicyThatScrubsNothing_sendsEveryBodyAsItCame() throws Exception {
    engine();
    assertThat(sent(post("/in", "", "{\"password\":\"hunter2\"}")).getBody().utf8())
        .isEqualTo("{\"password\":\"hunter2\"}");
  }

  @Test
  void classifiedBodies_stillGo_andGrpcFramesGoAsTheyCame() throws Exception {
    engine("mirror.redact-json-fields", "/password", "mirror.scrub-patterns", "email");
    assertThat(sent(post("/in", "text/plain", "write to zoe@example.com")).getBody().utf8())
        .isEqualTo("write to [masked]");
    assertThat(sent(post("/in", "application/xml", "<a>zoe@example.com</a>")).getBody().utf8())
        .isEqualTo("<a>[masked]</a>");
    assertThat(sent(post("/pkg.Svc/Call", "application/grpc", "\0\0\0\0\2zz")).getBody().utf8())
        .isEqualTo("\0\0\0\0\2zz");
    assertThat(engine.stats().target("default").dropped(DropReason.SCRUB_FAILED)).isZero();
  }

  @Test
  void theReasonLogged_neverRepeatsATypeTheClientMadeUp() throws Exception {
    engine("mirror.scrub-patterns", "email");
    String log = SecureDefaultsTest.stderrOf(() ->
        dropped(post("/in", "application/<forged>", "zoe@example.com"), 1));
    assertThat(log).contains("dropped: a body of a type not shown cannot be scrubbed")
        .doesNotContain("forged");
  }

  @Test
  void ndjson_isScrubbedLineByLine_keepingLineEndsAndBlankLines() throws Exception {
    engine("mirror.redact-json-fields", "/password", "mirror.scrub-patterns", "email");
    String in = "{\"password\":\"a\",\"n\":1}\n\n{\"password\":\"b\",\"to\":\"zoe@example.com\"}"
        + "\r\n{\"ok\":true}";
    assertThat(sent(post("/in", "application/x-ndjson", in)).getBody().utf8())
        .isEqualTo("{\"password\":\"[masked]\",\"n\":1}\n\n"
            + "{\"password\":\"[masked]\",\"to\":\"[masked]\"}\r\n{\"ok\":true}");
    String untouched = "{\"ok\":true}\n{\"n\":2}\n";
    assertThat(sent(post("/in", "application/x-ndjson", untouched)).getBody().utf8())
        .isEqualTo(untouched);
  }

  @Test
  void thePath_isScrubbedByTheDetectors_segmentBySegment() throws Exception {
    engine("mirror.scrub-patterns", "email,card");
    assertThat(sent(post("/users/zoe@example.com/orders?x=1", "text/plain", "hi")).getTarget())
        .isEqualTo("/users/%5Bmasked%5D/orders?x=1");
    assertThat(sent(post("/users/zoe%40example.com/cards/4111111111111111", "text/plain", "hi"))
        .getTarget()).isEqualTo("/users/%5Bmasked%5D/cards/%5Bmasked%5D");
    assertThat(sent(post("/a+b/plain%20path/", "text/plain", "hi")).getTarget())
        .as("a path without a match goes byte for byte").isEqualTo("/a+b/plain%20path/");
    assertThat(engine.stats().target("default").scrubbed().redactions()).isGreaterThanOrEqualTo(3);
  }
}
