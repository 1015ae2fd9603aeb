package dev.mirror.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorEngine;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;

/** https through the Jetty transport, with the target's SSLContext carrying a client certificate. */
class JettyTlsTest {

  @Test
  void httpsTarget_withClientCertificate_getsTheCopy() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate serverCert = new HeldCertificate.Builder()
        .addSubjectAlternativeName("127.0.0.1").signedBy(ca).build();
    HeldCertificate clientCert = new HeldCertificate.Builder().commonName("mirror").signedBy(ca)
        .build();
    JettyTransport transport = JettyTransport.create();
    try (MockWebServer server = new MockWebServer()) {
      server.useHttps(new HandshakeCertificates.Builder().heldCertificate(serverCert)
          .addTrustedCertificate(ca.certificate()).build().sslSocketFactory());
      server.requireClientAuth();
      server.enqueue(new MockResponse.Builder().code(204).build());
      server.start(InetAddress.getByName("127.0.0.1"), 0);
      MirrorEngine engine = MirrorEngine.builder().transport(transport)
          .policy(MirrorPolicy.builder("p").target(MirrorTarget.builder("t",
              "https://127.0.0.1:" + server.getPort()).sslContext(new HandshakeCertificates.Builder()
                  .heldCertificate(clientCert).addTrustedCertificate(ca.certificate()).build()
                  .sslContext()).build()).build())
          .build();
      try (engine) {
        engine.submit(MirroredRequest.builder().rawTarget("/tls").build());
        RecordedRequest copy = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(copy).isNotNull();
        assertThat(copy.getTarget()).isEqualTo("/tls");
        assertThat(copy.getHandshake().peerCertificates()).contains(clientCert.certificate());
      }
    } finally {
      transport.close();
    }
  }
}
