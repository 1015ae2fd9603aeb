package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.Shadow;
import java.util.LinkedHashMap;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Credentials are taken out of the copy only, as seen at the shadow; the application sees all. */
class SecretsTest {


  @AfterAll
  static void writeRecord() {
    ReliabilityRecord.write();
  }

  @ParameterizedTest(name = "redact-mode={0}")
  @ValueSource(strings = {"mask", "remove"})
  void redaction_appliesToTheCopyOnly(String mode) throws Exception {
    try (Shadow shadow = Shadow.answering(200)) {
      Map<String, String> keys = new LinkedHashMap<>();
      keys.put("mirror.host", shadow.address());
      keys.put("mirror.redact-credentials", "true");
      keys.put("mirror.redact-mode", mode);
      keys.put("mirror.remove-headers", "X-Internal-Token");
      keys.put("mirror.redact-query-params", "api_key");
      MirrorEngine engine = MirrorConfig.parse(keys).newEngine();
      try (Container jetty = Container.jetty(new MirrorFilter(engine), new TestApp())) {
        // A raw socket: a client may send any Host (the JDK client refuses to without a flag).
        String answer = rawGet(jetty.port(), "/secrets?q=1&api_key=k123",
            "Authorization: Bearer s3cret", "Cookie: SESSION=abc", "X-Internal-Token: t0k3n",
            "Host: evil.example", "X-Forwarded-Host: evil.example");
        assertThat(answer).endsWith("\r\n\r\nauth=Bearer s3cret cookie=SESSION=abc query=q=1&api_key=k123");

        RecordedRequest copy = shadow.take();
        boolean mask = mode.equals("mask");
        assertThat(copy.getHeaders().get("Authorization")).isEqualTo(mask ? "[masked]" : null);
        assertThat(copy.getHeaders().get("Cookie")).isEqualTo(mask ? "[masked]" : null);
        assertThat(copy.getHeaders().get("X-Internal-Token")).isNull();
        assertThat(copy.getTarget())
            .isEqualTo(mask ? "/secrets?q=1&api_key=%5Bmasked%5D" : "/secrets?q=1");
        // Where the copy goes comes from configuration only: Host and X-Forwarded-Host are
        // passed on as headers, and the copy still reached the configured shadow.
        assertThat(copy.getHeaders().get("Host")).isEqualTo("evil.example");
        ReliabilityRecord.row("Secrets", "redact-credentials, remove-headers, redact-query-params,"
                + " redact-mode=" + mode + "; request with Host: evil.example",
            "its own headers and query, unchanged",
            "shadow saw Authorization=" + copy.getHeaders().get("Authorization") + ", Cookie="
                + copy.getHeaders().get("Cookie") + ", X-Internal-Token=null, target "
                + copy.getTarget() + "; the copy went to the configured shadow");
      } finally {
        engine.close();
      }
    }
  }

  /** Sends one GET with exactly these header lines; returns the whole answer as text. */
  static String rawGet(int port, String target, String... headerLines) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\n");
      for (String line : headerLines) {
        request.append(line).append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      socket.getOutputStream().write(request.toString().getBytes(
          java.nio.charset.StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
