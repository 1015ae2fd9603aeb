package dev.mirror.core.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A private CA made for one test, with a shadow's server certificate and client certificates,
 * written out as users hold them: PEM files and PKCS12 stores.
 */
public final class TestPki {

  public final HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
      .commonName("mirror test CA").build();
  public final HeldCertificate server = new HeldCertificate.Builder()
      .addSubjectAlternativeName("127.0.0.1").addSubjectAlternativeName("localhost")
      .signedBy(ca).build();

  /** A client certificate with this common name, signed by the CA. */
  public HeldCertificate client(String commonName) {
    return new HeldCertificate.Builder().commonName(commonName).signedBy(ca).build();
  }

  /**
   * An https shadow on 127.0.0.1 that requires a client certificate signed by the CA (or only
   * accepts one, if {@code requireClientAuth} is false) and closes each connection after its
   * answer, so every copy makes a new handshake.
   */
  public MockWebServer shadow(boolean requireClientAuth) throws IOException {
    MockWebServer shadow = new MockWebServer();
    HandshakeCertificates tls = new HandshakeCertificates.Builder().heldCertificate(server)
        .addTrustedCertificate(ca.certificate()).build();
    shadow.useHttps(tls.sslSocketFactory());
    if (requireClientAuth) {
      shadow.requireClientAuth();
    } else {
      shadow.requestClientAuth();
    }
    shadow.setProtocols(List.of(Protocol.HTTP_1_1));
    shadow.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(200).body("tls shadow")
            .addHeader("Connection", "close").build();
      }
    });
    shadow.start(InetAddress.getByName("127.0.0.1"), 0);
    return shadow;
  }

  /** Writes {@code ca.pem}, {@code client.pem} (the chain) and {@code client.key} (PKCS#8). */
  public void writePem(Path dir, HeldCertificate client) throws IOException {
    Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
    Files.writeString(dir.resolve("client.pem"), client.certificatePem() + ca.certificatePem());
    Files.writeString(dir.resolve("client.key"), client.privateKeyPkcs8Pem());
  }

  /** A PKCS12 store holding the client's key and chain under {@code alias}. */
  public Path keyStore(Path file, HeldCertificate client, String alias, String password)
      throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(alias, client.keyPair().getPrivate(), password.toCharArray(),
        new Certificate[] {client.certificate(), ca.certificate()});
    return save(store, file, password);
  }

  /** A PKCS12 store trusting the CA. */
  public Path trustStore(Path file, HeldCertificate authority, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", authority.certificate());
    return save(store, file, password);
  }

  private static Path save(KeyStore store, Path file, String password) throws Exception {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
    return file;
  }
}
