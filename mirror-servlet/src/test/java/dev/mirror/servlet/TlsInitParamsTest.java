package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.FailureReason;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** mTLS to a shadow configured by init-params alone (as web.xml gives them), on both containers. */
class TlsInitParamsTest {

  private static final String PASSWORD = "Init-Pa55word";
  private final TestPki pki = new TestPki();

  private static Container start(String container, MirrorFilter filter, Map<String, String> params)
      throws Exception {
    return container.equals("jetty") ? Container.jetty(filter, new TestApp(), params)
        : Container.tomcat(filter, new TestApp(), params);
  }

  private static String answer(Container container) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(container.url("/echo/tls"))).POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void storesAndPemFiles_fromInitParams_presentTheClientCertificate(String container,
      @TempDir Path dir) throws Exception {
    try (MockWebServer shadow = pki.shadow(true)) {
      String host = "https://127.0.0.1:" + shadow.getPort();
      Map<String, String> stores = new LinkedHashMap<>();
      stores.put("mirror.host", host);
      stores.put("mirror.tls.trust-store",
          pki.trustStore(dir.resolve("trust.p12"), pki.ca, PASSWORD).toString());
      stores.put("mirror.tls.trust-store-password", PASSWORD);
      stores.put("mirror.tls.key-store", pki.keyStore(dir.resolve("client.p12"),
          pki.client("from-store"), "mirror", PASSWORD).toString());
      stores.put("mirror.tls.key-store-password", PASSWORD);
      pki.writePem(dir, pki.client("from-pem"));
      Map<String, String> pem = Map.of("mirror.host", host,
          "mirror.tls.ca-file", dir.resolve("ca.pem").toString(),
          "mirror.tls.cert-file", dir.resolve("client.pem").toString(),
          "mirror.tls.key-file", dir.resolve("client.key").toString());
      for (Map<String, String> params : java.util.List.of(stores, pem)) {
        try (Container app = start(container, new MirrorFilter(), params)) {
          answer(app);
          RecordedRequest copy = shadow.takeRequest(10, TimeUnit.SECONDS);
          assertThat(copy).isNotNull();
          X509Certificate presented =
              (X509Certificate) copy.getHandshake().peerCertificates().get(0);
          assertThat(presented.getSubjectX500Principal().getName())
              .isEqualTo(params == stores ? "CN=from-store" : "CN=from-pem");
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void withoutTheClientCertificate_noCopy_countedAsTls_answerUnchanged(String container,
      @TempDir Path dir) throws Exception {
    try (MockWebServer shadow = pki.shadow(true)) {
      pki.writePem(dir, pki.client("unused"));
      MirrorFilter filter = new MirrorFilter();
      String withMirror;
      try (Container app = start(container, filter, Map.of(
          "mirror.host", "https://127.0.0.1:" + shadow.getPort(),
          "mirror.tls.ca-file", dir.resolve("ca.pem").toString()))) {
        withMirror = answer(app);
        MirrorEngine engine = (MirrorEngine) filter.dispatcher();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> engine.stats().target("default").failed(FailureReason.TLS) == 1);
      }
      try (Container plain = start(container, null, Map.of())) {
        assertThat(withMirror).isEqualTo(answer(plain));
      }
      assertThat(shadow.getRequestCount()).isZero();
    }
  }
}
