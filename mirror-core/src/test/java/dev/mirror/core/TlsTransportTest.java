package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.FailureReason;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** https targets, HTTP/2 and HTTP/1.1, with a client certificate from a supplied SSLContext. */
class TlsTransportTest {

  private final HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
      .commonName("test CA").build();
  private final HeldCertificate serverCert = new HeldCertificate.Builder()
      .addSubjectAlternativeName("127.0.0.1").signedBy(ca).build();
  private final HeldCertificate clientCert = new HeldCertificate.Builder()
      .commonName("mirror").signedBy(ca).build();
  private MockWebServer server;
  private MirrorEngine engine;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
        .heldCertificate(serverCert).addTrustedCertificate(ca.certificate()).build();
    server.useHttps(serverTls.sslSocketFactory());
    server.requireClientAuth();
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    server.enqueue(new MockResponse.Builder().code(201).build());
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    server.close();
  }

  private SSLContext client(boolean withCertificate) {
    HandshakeCertificates.Builder tls = new HandshakeCertificates.Builder()
        .addTrustedCertificate(ca.certificate());
    if (withCertificate) {
      tls.heldCertificate(clientCert);
    }
    return tls.build().sslContext();
  }

  @ParameterizedTest
  @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"}) // h2c is cleartext
  void httpsTarget_withClientCertificate_getsTheCopy(HttpVersion version) throws Exception {
    engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p").target(
        MirrorTarget.builder("t", "https://127.0.0.1:" + server.getPort())
            .sslContext(client(true)).httpVersion(version).build()).build()).build();
    engine.submit(MirroredRequest.builder().method("POST").rawTarget("/tls?x=1")
        .body("{}".getBytes(StandardCharsets.UTF_8)).build());

    RecordedRequest copy = server.takeRequest(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(copy).isNotNull();
    assertThat(copy.getTarget()).isEqualTo("/tls?x=1");
    assertThat(copy.getBody().utf8()).isEqualTo("{}");
    assertThat(copy.getVersion()).isEqualTo(version == HttpVersion.HTTP_2 ? "HTTP/2" : "HTTP/1.1");
    assertThat(copy.getHandshake().peerCertificates()).as("the client certificate (mTLS)")
        .contains(clientCert.certificate());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("t").responses(2) == 1);
  }

  @Test
  void httpsTarget_refusingOurMissingCertificate_isCountedAsTls() {
    engine = MirrorEngine.builder().policy(MirrorPolicy.builder("p").target(
        MirrorTarget.builder("t", "https://127.0.0.1:" + server.getPort())
            .sslContext(client(false)).build()).build()).build();
    engine.submit(MirroredRequest.builder().build());
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().target("t").failedTotal() == 1);
    // TLS 1.3 may report a refused client certificate after the handshake, as a broken
    // connection; either way it is counted, never thrown.
    assertThat(engine.stats().target("t").failed(FailureReason.TLS)
        + engine.stats().target("t").failed(FailureReason.IO)).isEqualTo(1);
  }
}
