package dev.mirror.grpc;

import static dev.mirror.grpc.Primary.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.core.testing.TestPki;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.testing.protobuf.SimpleRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** grpcs:// targets: TLS and mTLS from the same mirror.tls.* keys as https targets. */
class GrpcTlsTest {

  private final TestPki pki = new TestPki();

  @TempDir
  Path dir;

  private SslContext shadowTls() throws Exception {
    HandshakeCertificates certificates = new HandshakeCertificates.Builder()
        .heldCertificate(pki.server).addTrustedCertificate(pki.ca.certificate()).build();
    return GrpcSslContexts.configure(SslContextBuilder.forServer(certificates.keyManager()))
        .trustManager(certificates.trustManager())
        .clientAuth(ClientAuth.REQUIRE)
        .build();
  }

  @Test
  void mutualTls_withPemKeys_copyArrives() throws Exception {
    pki.writePem(dir, pki.client("mirror"));
    try (RecordingShadow shadow = new RecordingShadow(RecordingShadow.Behaviour.ANSWER, 0,
        shadowTls());
        MirrorServerInterceptor interceptor = MirrorServerInterceptor.create(Map.of(
            "mirror.host", shadow.address("grpcs"),
            "mirror.tls.ca-file", dir.resolve("ca.pem").toString(),
            "mirror.tls.cert-file", dir.resolve("client.pem").toString(),
            "mirror.tls.key-file", dir.resolve("client.key").toString()));
        Primary primary = new Primary(interceptor)) {
      assertThat(primary.blocking().unaryRpc(request("secure")).getResponseMessage())
          .isEqualTo("echo:secure");

      RecordingShadow.Call call = shadow.take();
      assertThat(SimpleRequest.parseFrom(call.messages().get(0))).isEqualTo(request("secure"));
      await().atMost(Duration.ofSeconds(10)).until(() -> stats(interceptor).sent() == 1);
    }
  }

  @Test
  void withoutAClientCertificate_theCopyFails_andIsCounted() throws Exception {
    pki.writePem(dir, pki.client("mirror"));
    try (RecordingShadow shadow = new RecordingShadow(RecordingShadow.Behaviour.ANSWER, 0,
        shadowTls());
        MirrorServerInterceptor interceptor = MirrorServerInterceptor.create(Map.of(
            "mirror.host", shadow.address("grpcs"),
            "mirror.tls.ca-file", dir.resolve("ca.pem").toString()));
        Primary primary = new Primary(interceptor)) {
      assertThat(primary.blocking().unaryRpc(request("plain")).getResponseMessage())
          .isEqualTo("echo:plain");

      await().atMost(Duration.ofSeconds(10)).until(() -> stats(interceptor).failedTotal() == 1);
      assertThat(stats(interceptor).sent()).isZero();
      assertThat(shadow.started.get()).isZero();
    }
  }

  private static TargetStats stats(MirrorServerInterceptor interceptor) {
    return ((MirrorEngine) interceptor.dispatcher()).stats().targets().get(0);
  }
}
