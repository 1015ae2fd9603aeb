package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.DropReason;
import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.stats.TargetStats;
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

/** Scrubbing personal data out of copies, and selecting requests by pattern. */
class ScrubbingTest {

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

  private MirrorEngine engine(String... keyValues) throws Exception {
    shadow = Shadow.answering(200);
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.host", shadow.address());
    keys.put("mirror.max-body-bytes", String.valueOf(4 * 1024 * 1024));
    for (int i = 0; i < keyValues.length; i += 2) {
      keys.put(keyValues[i], keyValues[i + 1]);
    }
    engine = MirrorConfig.parse(keys).newEngine();
    return engine;
  }

  private RecordedRequest send(String contentType, String body, String... headers)
      throws Exception {
    Headers.Builder h = Headers.builder();
    if (contentType != null) {
      h.add("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    assertThat(engine.submit(MirroredRequest.builder().method("POST").rawTarget("/in")
        .headers(h.build()).body(body.getBytes(StandardCharsets.UTF_8)).build()).outcome())
        .isEqualTo(Outcome.ACCEPTED);
    RecordedRequest copy = shadow.take();
    assertThat(copy.getHeaders().get("Content-Length"))
        .isEqualTo(String.valueOf(copy.getBody().size()));
    return copy;
  }

  private static final String ORDER = "{\"user\":{\"name\":\"Zo\\u00eb \\ud83d\\ude00\","
      + "\"email\":\"zoe@example.com\",\"password\":\"hunter2\"},"
      + "\"items\":[{\"card\":\"4111 1111 1111 1111\",\"qty\":3},"
      + "{\"card\":{\"pan\":\"5500000000000004\"},\"price\":1.50}],"
      + "\"n\":[0,-1,1e10,1.0E-7,12345678901234567890123,3.141592653589793238462643,-0.0],"
      + "\"meta\":{\"deep\":{\"token\":\"abc\",\"keep\":\"x\"}},\"ok\":true,\"none\":null}";

  @Test
  void jsonFields_areMasked_theRestKeepsOrderValuesAndNumbers() throws Exception {
    engine("mirror.redact-json-fields", "/user/password,/items/*/card,/**/token");
    RecordedRequest copy = send("application/json; charset=utf-8", ORDER);
    assertThat(copy.getBody().utf8()).isEqualTo("{\"user\":{\"name\":\"Zo\\u00eb \\ud83d\\ude00\","
        + "\"email\":\"zoe@example.com\",\"password\":\"[masked]\"},"
        + "\"items\":[{\"card\":\"[masked]\",\"qty\":3},{\"card\":null,\"price\":1.50}],"
        + "\"n\":[0,-1,1e10,1.0E-7,12345678901234567890123,3.141592653589793238462643,-0.0],"
        + "\"meta\":{\"deep\":{\"token\":\"[masked]\",\"keep\":\"x\"}},\"ok\":true,\"none\":null}");
    TargetStats stats = engine.stats().target("default");
    assertThat(stats.scrubbed().copies()).isEqualTo(1);
    assertThat(stats.scrubbed().redactions()).isEqualTo(4);
  }

  @Test
  void jsonFields_removed_inRemoveMode() throws Exception {
    engine("mirror.redact-json-fields", "/user/password,/items/*/card,/**/token",
        "mirror.redact-mode", "remove");
    assertThat(send("application/vnd.api+json", ORDER).getBody().utf8())
        .contains("\"email\":\"zoe@example.com\"}").contains("[{\"qty\":3},{\"price\":1.50}]")
        .contains("\"deep\":{\"keep\":\"x\"}").doesNotContain("hunter2").doesNotContain("abc");
  }

  @Test
  void aDocumentNoRuleTouches_goesOutByteForByte() throws Exception {
    engine("mirror.redact-json-fields", "/secret", "mirror.scrub-patterns", "card");
    String pretty = "{ \"a\" : 1.10 ,\n  \"b\" : [ \"x\" ] }";
    assertThat(send("application/json", pretty).getBody().utf8()).isEqualTo(pretty);
  }

  @Test
  void malformedJson_isDropped_notSentHalfScrubbed_unlessTheUserChoseSo() throws Exception {
    engine("mirror.redact-json-fields", "/password");
    engine.submit(MirroredRequest.builder().method("POST").headers(Headers.of("Content-Type",
        "application/json")).body("{\"password\": \"x\"".getBytes(StandardCharsets.UTF_8))
        .build());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        engine.stats().target("default").dropped(DropReason.SCRUB_FAILED) == 1);
    assertThat(shadow.server.getRequestCount()).isZero();
    engine.close();
    shadow.close();

    engine("mirror.redact-json-fields", "/password", "mirror.scrub-on-failure", "send");
    assertThat(send("application/json", "{\"password\": \"x\"").getBody().utf8())
        .isEqualTo("{\"password\": \"x\"");
  }

  @ParameterizedTest(name = "{0}, byte order mark {1}")
  @CsvSource({"UTF-16LE, false", "UTF-16BE, false", "UTF-16LE, true", "UTF-16BE, true",
      "UTF-32LE, false", "UTF-32BE, false", "UTF-32BE, true", "UTF-8, true"})
  void utf16And32Json_isScrubbedInItsOwnEncoding_neverSentWithTheOriginalBytes(String name,
      boolean bom) throws Exception {
    engine("mirror.redact-json-fields", "/user/password", "mirror.scrub-patterns", "email");
    java.nio.charset.Charset charset = java.nio.charset.Charset.forName(name);
    String in = "{\"user\":{\"name\":\"Zoë\",\"password\":\"hunter2\"},"
        + "\"note\":\"mail zoe@example.com\"}";
    byte[] mark = !bom ? new byte[0] : "\ufeff".getBytes(charset);
    byte[] body = concat(mark, in.getBytes(charset));
    assertThat(engine.submit(MirroredRequest.builder().method("POST").rawTarget("/in")
        .headers(Headers.of("Content-Type", "application/json")).body(body).build()).outcome())
        .isEqualTo(Outcome.ACCEPTED);
    byte[] copy = shadow.take().getBody().toByteArray();
    assertThat(java.util.Arrays.copyOf(copy, mark.length)).as("the byte order mark stays")
        .isEqualTo(mark);
    assertThat(new String(copy, mark.length, copy.length - mark.length, charset))
        .isEqualTo("{\"user\":{\"name\":\"Zoë\",\"password\":\"[masked]\"},"
            + "\"note\":\"mail [masked]\"}");
    assertThat(indexOf(copy, "hunter2".getBytes(charset))).isNegative();
    assertThat(indexOf(copy, body)).as("never the original after a mask").isNegative();
    assertThat(engine.stats().target("default").scrubbed().redactions()).isEqualTo(2);
  }

  @Test
  void jsonThatDoesNotDecodeInTheEncodingItsFirstBytesTell_isDropped() throws Exception {
    engine("mirror.redact-json-fields", "/password");
    byte[] utf16 = "{\"password\":\"x\"}".getBytes(StandardCharsets.UTF_16LE);
    byte[] broken = java.util.Arrays.copyOf(utf16, utf16.length + 1); // an odd byte count
    broken[broken.length - 1] = 0x7d;
    byte[] lone = concat(utf16, new byte[] {0x00, (byte) 0xd8}); // an unpaired surrogate
    for (byte[] body : new byte[][] {broken, lone}) {
      engine.submit(MirroredRequest.builder().method("POST").headers(Headers.of(
          "Content-Type", "application/json")).body(body).build());
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        engine.stats().target("default").dropped(DropReason.SCRUB_FAILED) == 2);
    assertThat(shadow.server.getRequestCount()).isZero();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void compressedBody_cannotBeScrubbed_andIsDropped() throws Exception {
    engine("mirror.redact-json-fields", "/password");
    engine.submit(MirroredRequest.builder().method("POST").headers(Headers.of(
        "Content-Type", "application/json", "Content-Encoding", "gzip"))
        .body(new byte[] {31, -117, 8, 0}).build());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        engine.stats().target("default").dropped(DropReason.SCRUB_FAILED) == 1);
  }

  @Test
  void formFields_areRedacted_theRestByteForByte() throws Exception {
    engine("mirror.redact-form-fields", "password,card");
    assertThat(send("application/x-www-form-urlencoded",
        "user=zoe&password=hunter%32&card=4111111111111111&note=a+b%21").getBody().utf8())
        .isEqualTo("user=zoe&password=%5Bmasked%5D&card=%5Bmasked%5D&note=a+b%21");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "email | contact zoe.o@mail.example.org now | contact [masked] now",
      "email | no at-sign example.org here | no at-sign example.org here",
      "jwt | t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-1 end | t=[masked] end",
      "jwt | eyJ alone is not a token | eyJ alone is not a token",
      "bearer | Authorization: Bearer abc.DEF-123= ok | Authorization: Bearer [masked] ok",
      "card | pay 4111 1111 1111 1111 now | pay [masked] now",
      "card | pay 4111-1111-1111-1111 now | pay [masked] now",
      "card | order 4111111111111112 fails Luhn | order 4111111111111112 fails Luhn",
      "card | phone 0123456789 is short | phone 0123456789 is short",
      "iban | to GB82 WEST 1234 5698 7654 32 ok | to [masked] ok",
      "iban | to GB82WEST12345698765432 ok | to [masked] ok",
      "iban | to GB00WEST12345698765432 bad sum | to GB00WEST12345698765432 bad sum",
      // Next to other digits and codes (issue 28): the checksum finds the number in the run.
      "card | paid 4111 1111 1111 1111 12/25 thanks | paid [masked] 12/25 thanks",
      "card | 4111111111111111 123 is the cvv | [masked] 123 is the cvv",
      "card | cards 4111 1111 1111 1111 5500 0000 0000 0004 | cards [masked] [masked]",
      "card | ref 2024 4111-1111-1111-1111 | ref 2024 [masked]",
      "iban | DE89 3704 0044 0532 0130 00 EUR | [masked] EUR",
      "iban | pay DE89370400440532013000 EUR 12 | pay [masked] EUR 12",
      "iban | to DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX | to [masked] BIC COBADEFFXXX",
      "iban | DE89370400440532013000EUR | [masked]EUR",
      "iban | GB82 WEST 1234 5698 7654 32 DE89 3704 0044 0532 0130 00 | [masked] [masked]",
  })
  void detectors_replaceTheMatchOnly_andOnlyRealOnes(String detector, String in, String out)
      throws Exception {
    engine("mirror.scrub-patterns", detector);
    assertThat(send("text/plain; charset=utf-8", in).getBody().utf8()).isEqualTo(out);
  }

  @Test
  void aCardNumberSentAsAJsonNumber_isMasked_otherNumbersKept() throws Exception {
    engine("mirror.scrub-patterns", "card");
    assertThat(send("application/json",
        "{\"card\":4111111111111111,\"qty\":3,\"id\":4111111111111112}").getBody().utf8())
        .isEqualTo("{\"card\":\"[masked]\",\"qty\":3,\"id\":4111111111111112}");
  }

  @Test
  void patterns_reachJsonStrings_headerValues_andTheQuery() throws Exception {
    engine("mirror.scrub-patterns", "email,employee", "mirror.scrub-pattern.employee",
        "EMP-[0-9]{5}");
    assertThat(engine.submit(MirroredRequest.builder().method("POST")
        .rawTarget("/in?who=zoe%40example.com&id=EMP-12345&x=1")
        .headers(Headers.of("Content-Type", "application/json", "X-Contact", "zoe@example.com"))
        .body("{\"note\":\"mail zoe@example.com\",\"n\":1}".getBytes(StandardCharsets.UTF_8))
        .build()).outcome()).isEqualTo(Outcome.ACCEPTED);
    RecordedRequest copy = shadow.take();
    assertThat(copy.getBody().utf8()).isEqualTo("{\"note\":\"mail [masked]\",\"n\":1}");
    assertThat(copy.getHeaders().get("X-Contact")).isEqualTo("[masked]");
    assertThat(copy.getTarget()).isEqualTo("/in?who=%5Bmasked%5D&id=%5Bmasked%5D&x=1");
  }

  @Test
  void readmesWorkedExample_holds() throws Exception {
    engine("mirror.redact-json-fields", "/user/password,/cards/*/number,/**/token",
        "mirror.scrub-patterns", "email,card,employee",
        "mirror.scrub-pattern.employee", "EMP-[0-9]{5}");
    String in = "{\"user\":{\"name\":\"Zoë\",\"password\":\"hunter2\",\"mail\":\"zoe@example.com\"},\n"
        + " \"cards\":[{\"number\":\"4111111111111111\",\"exp\":\"12/30\"}],\"note\":\"call 4111 1111 1111 1111\",\n"
        + " \"session\":{\"token\":\"eyJhbGciOi...\"},\"total\":12.50}";
    engine.submit(MirroredRequest.builder().method("POST").rawTarget("/orders?ref=EMP-12345")
        .headers(Headers.of("Content-Type", "application/json", "X-Contact", "zoe@example.com"))
        .body(in.getBytes(StandardCharsets.UTF_8)).build());
    RecordedRequest copy = shadow.take();
    assertThat(copy.getTarget()).isEqualTo("/orders?ref=%5Bmasked%5D");
    assertThat(copy.getHeaders().get("X-Contact")).isEqualTo("[masked]");
    assertThat(copy.getBody().utf8()).isEqualTo(
        "{\"user\":{\"name\":\"Zoë\",\"password\":\"[masked]\",\"mail\":\"[masked]\"},\n"
        + " \"cards\":[{\"number\":\"[masked]\",\"exp\":\"12/30\"}],\"note\":\"call [masked]\",\n"
        + " \"session\":{\"token\":\"[masked]\"},\"total\":12.50}");
  }

  @Test
  void aMebibyteDocument_nearTheLimit_isScrubbedWhole() throws Exception {
    engine("mirror.redact-json-fields", "/**/token", "mirror.max-body-bytes", "1100000");
    StringBuilder doc = new StringBuilder("[");
    int n = 0;
    while (doc.length() < 1_040_000) {
      doc.append(n == 0 ? "" : ",").append("{\"id\":").append(n++).append(",\"token\":\"t")
          .append(n).append("\",\"v\":\"").append("x".repeat(20)).append("\"}");
    }
    doc.append(']');
    RecordedRequest copy = send("application/json", doc.toString());
    assertThat(copy.getBody().utf8()).doesNotContain("\"token\":\"t").contains("\"id\":" + (n - 1));
    assertThat(engine.stats().target("default").scrubbed().redactions()).isEqualTo(n);
  }

  @Test
  void badPatterns_failStartUpNamingTheKey() {
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://a",
        "mirror.scrub-patterns", "x", "mirror.scrub-pattern.x", "(unclosed")))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.scrub-pattern.x: was (unclosed, must be a regular expression in RE2"
            + " syntax (linear time: no back-references, no look-around: missing closing ))");
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://a",
        "mirror.scrub-patterns", "passport")))
        .hasMessage("mirror.scrub-patterns: was passport, must be one of [bearer, card, email,"
            + " iban, jwt] or the name of a scrub-pattern.<name>");
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://a",
        "mirror.match-header.X-User-ID", "regex:^(1|2\\d{3}$")))
        .hasMessage("mirror.match-header.X-User-ID: was regex:^(1|2\\d{3}$, must be a regular"
            + " expression in RE2 syntax (linear time: no back-references, no look-around:"
            + " missing closing ))");
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://a",
        "mirror.redact-json-fields", "password")))
        .hasMessageStartingWith("mirror.redact-json-fields: was password, must be comma-separated"
            + " JSON-pointer globs");
  }

  @Test
  void selection_byRegex_byQuery_andInAnyMode() throws Exception {
    engine("mirror.match-header.X-User-ID", "regex:^(1|2)\\d{3}$");
    assertThat(engine.decide(get("/a", "X-User-ID", "1234")).mirrored()).isTrue();
    assertThat(engine.decide(get("/a", "X-User-ID", "3234")).mirrored()).isFalse();
    assertThat(engine.decide(get("/a", "X-User-ID", "12345")).mirrored()).as("whole value")
        .isFalse();
    engine.close();
    shadow.close();

    engine("mirror.match-query.tenant", "regex:acme-.*", "mirror.match-header.X-Beta", "*",
        "mirror.match-mode", "any");
    assertThat(engine.decide(get("/a?tenant=acme-eu", "X-Other", "1")).mirrored()).isTrue();
    assertThat(engine.decide(get("/a?tenant=other", "X-Beta", "yes")).mirrored()).isTrue();
    assertThat(engine.decide(get("/a?tenant=other", "X-Other", "1")).mirrored()).isFalse();
    assertThat(engine.config().orElseThrow().toProperties())
        .containsEntry("mirror.policy.default.match-mode", "any")
        .containsEntry("mirror.policy.default.match-query.tenant", "regex:acme-.*");
    assertThat(MirrorConfig.parse(engine.config().orElseThrow().toProperties()))
        .isEqualTo(engine.config().orElseThrow());
  }

  @Test
  void stickySampling_composesWithARegexMatch() throws Exception {
    engine("mirror.match-header.X-User-ID", "regex:^[0-9]+$", "mirror.sticky-key",
        "header:X-User-ID", "mirror.sample-ratio", "0.1");
    int chosen = 0;
    for (int user = 0; user < 2000; user++) {
      boolean first = engine.decide(get("/a", "X-User-ID", String.valueOf(user))).mirrored();
      boolean again = engine.decide(get("/a", "X-User-ID", String.valueOf(user))).mirrored();
      assertThat(again).as("sticky").isEqualTo(first);
      chosen += first ? 1 : 0;
    }
    assertThat(chosen).as("about 10 % of matching users").isBetween(120, 280);
    assertThat(engine.decide(get("/a", "X-User-ID", "not-a-number")).mirrored()).isFalse();
  }

  private static MirroredRequest get(String target, String header, String value) {
    return MirroredRequest.builder().method("GET").rawTarget(target)
        .headers(Headers.of(header, value)).build();
  }
}
