package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.FailureReason;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mTLS to a shadow from mirror.tls.* keys alone: stores, PEM files, rotation, errors. */
class TlsConfigTest {

  private static final String PASSWORD = "Store-Pa55word!";

  @TempDir Path dir;
  private final TestPki pki = new TestPki();
  private MockWebServer shadow;
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

  private Map<String, String> keys(String... keyValues) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("mirror.host", "https://127.0.0.1:" + shadow.getPort());
    keys.put("mirror.close-timeout", "500ms");
    for (int i = 0; i < keyValues.length; i += 2) {
      keys.put(keyValues[i], keyValues[i + 1]);
    }
    return keys;
  }

  private RecordedRequest copyReceived() throws Exception {
    engine.submit(MirroredRequest.builder().method("POST").rawTarget("/tls")
        .body("{}".getBytes()).build());
    RecordedRequest copy = shadow.takeRequest(10, TimeUnit.SECONDS);
    assertThat(copy).as("a copy at the shadow").isNotNull();
    return copy;
  }

  private static String commonName(RecordedRequest copy) {
    X509Certificate presented = (X509Certificate) copy.getHandshake().peerCertificates().get(0);
    return presented.getSubjectX500Principal().getName();
  }

  @Test
  void pkcs12Stores_presentTheClientCertificate() throws Exception {
    shadow = pki.shadow(true);
    Path keyStore = pki.keyStore(dir.resolve("client.p12"), pki.client("store-client"),
        "mirror", PASSWORD);
    Path trustStore = pki.trustStore(dir.resolve("trust.p12"), pki.ca, PASSWORD);
    Files.writeString(dir.resolve("password"), PASSWORD + "\n");
    engine = MirrorConfig.parse(keys("mirror.tls.trust-store", trustStore.toString(),
        "mirror.tls.trust-store-password", PASSWORD, "mirror.tls.key-store", keyStore.toString(),
        "mirror.tls.key-store-password-file", dir.resolve("password").toString())).newEngine();
    assertThat(commonName(copyReceived())).isEqualTo("CN=store-client");
  }

  @Test
  void pemFiles_presentTheClientCertificate_andRotateWithoutARestart() throws Exception {
    shadow = pki.shadow(true);
    pki.writePem(dir, pki.client("first"));
    MirrorConfig config = MirrorConfig.parse(keys("mirror.tls.ca-file",
        dir.resolve("ca.pem").toString(), "mirror.tls.cert-file",
        dir.resolve("client.pem").toString(), "mirror.tls.key-file",
        dir.resolve("client.key").toString()));
    engine = config.newEngine();
    assertThat(commonName(copyReceived())).isEqualTo("CN=first");

    // cert-manager renews: new files on disk; the next connections present the new certificate.
    pki.writePem(dir, pki.client("renewed"));
    for (String file : new String[] {"client.pem", "client.key", "ca.pem"}) {
      Files.setLastModifiedTime(dir.resolve(file), FileTime.from(Instant.now().plusSeconds(5)));
    }
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .until(() -> commonName(copyReceived()).equals("CN=renewed"));

    // A file that no longer parses keeps the last good material.
    Files.writeString(dir.resolve("client.key"), "not a key");
    Files.setLastModifiedTime(dir.resolve("client.key"), FileTime.from(Instant.now().plusSeconds(9)));
    for (int i = 0; i < 3; i++) {
      assertThat(commonName(copyReceived())).isEqualTo("CN=renewed");
    }
    // Equal keys, equal configurations (and one context between them).
    assertThat(MirrorConfig.parse(config.toProperties())).isEqualTo(config);
  }

  @Test
  void hostNameVerificationOff_withAPrivateAnchor_isWarnedAboutAtStartUp() throws Exception {
    shadow = pki.shadow(false);
    pki.writePem(dir, pki.client("x"));
    String log = SecureDefaultsTest.stderrOf(() -> MirrorConfig.parse(keys(
        "mirror.tls.ca-file", dir.resolve("ca.pem").toString(),
        "mirror.tls.verify-hostname", "false")));
    assertThat(log).contains("mirror.tls.verify-hostname is false: copies to https://127.0.0.1:"
        + shadow.getPort() + " accept any certificate the private trust anchor signed");
  }

  @Test
  void withoutTheClientCertificate_orWithoutTrust_noCopyArrives_andTheFailureIsCounted()
      throws Exception {
    shadow = pki.shadow(true);
    pki.writePem(dir, pki.client("x"));
    engine = MirrorConfig.parse(keys("mirror.tls.ca-file", dir.resolve("ca.pem").toString()))
        .newEngine();
    engine.submit(MirroredRequest.builder().build());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("default").failedTotal() == 1);
    assertThat(engine.stats().target("default").failed(FailureReason.TLS))
        .as(engine.stats().target("default").failed().toString()).isEqualTo(1);
    engine.close();

    HeldCertificate otherCa = new HeldCertificate.Builder().certificateAuthority(0).build();
    Path foreignTrust = pki.trustStore(dir.resolve("foreign.p12"), otherCa, PASSWORD);
    engine = MirrorConfig.parse(keys("mirror.tls.trust-store", foreignTrust.toString(),
        "mirror.tls.trust-store-password", PASSWORD, "mirror.tls.cert-file",
        dir.resolve("client.pem").toString(), "mirror.tls.key-file",
        dir.resolve("client.key").toString())).newEngine();
    engine.submit(MirroredRequest.builder().build());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("default").failed(FailureReason.TLS) == 1);
    assertThat(shadow.getRequestCount()).as("copies that reached the shadow").isZero();
  }

  @Test
  void aStoreWithoutItsPassword_isToldByTheKeyTheUserSet() throws Exception {
    shadow = pki.shadow(true);
    Path trust = pki.trustStore(dir.resolve("trust.p12"), pki.ca, PASSWORD);
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.trust-store",
        trust.toString())))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.tls.trust-store: was " + trust + ", must be a store its password"
            + " opens: set mirror.tls.trust-store-password or"
            + " mirror.tls.trust-store-password-file (neither is set)");
    Path keyStore = pki.keyStore(dir.resolve("client.p12"), pki.client("c"), "mirror", PASSWORD);
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.key-store",
        keyStore.toString())))
        .hasMessageStartingWith("mirror.tls.key-store: was " + keyStore)
        .hasMessageContaining("set mirror.tls.key-store-password or");
    Files.writeString(dir.resolve("password"), "wrong-secret\n");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.key-store",
        keyStore.toString(), "mirror.tls.key-store-password-file",
        dir.resolve("password").toString())))
        .hasMessageStartingWith("mirror.tls.key-store-password-file: does not open")
        .hasMessageNotContaining("wrong-secret");
  }

  @Test
  void badMaterial_failsStartUpNamingTheKey_neverEchoingTheSecret() throws Exception {
    shadow = pki.shadow(true);
    Path keyStore = pki.keyStore(dir.resolve("client.p12"), pki.client("c"), "mirror", PASSWORD);
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.key-store", keyStore.toString(),
        "mirror.tls.key-store-password", "wrong-secret")))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageStartingWith("mirror.tls.key-store-password: does not open")
        .hasMessageNotContaining("wrong-secret").hasMessageNotContaining(PASSWORD);
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.ca-file",
        dir.resolve("missing.pem").toString())))
        .hasMessageStartingWith("mirror.tls.ca-file: was ")
        .hasMessageEndingWith("must be an existing, readable file");
    Files.writeString(dir.resolve("junk.pem"), "hello");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.ca-file",
        dir.resolve("junk.pem").toString())))
        .hasMessageEndingWith("must be a PEM file of one or more certificates (BEGIN CERTIFICATE)");
    pki.writePem(dir, pki.client("c"));
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.cert-file",
        dir.resolve("client.pem").toString(), "mirror.tls.key-file",
        dir.resolve("ca.pem").toString())))
        .hasMessageEndingWith("must be a PKCS#8 private key in PEM (BEGIN PRIVATE KEY)")
        .hasMessageNotContaining("BEGIN CERTIFICATE-----\n");
    Path trustOnly = pki.trustStore(dir.resolve("trust.p12"), pki.ca, PASSWORD);
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.key-store",
        trustOnly.toString(), "mirror.tls.key-store-password", PASSWORD)))
        .hasMessageContaining("must be a store holding a private key");
    HeldCertificate expired = new HeldCertificate.Builder().commonName("old")
        .validityInterval(0, 1000).signedBy(pki.ca).build();
    pki.writePem(dir, expired);
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.cert-file",
        dir.resolve("client.pem").toString(), "mirror.tls.key-file",
        dir.resolve("client.key").toString())))
        .hasMessageContaining("must be a client certificate that has not expired");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.protocols", "SSLv2")))
        .hasMessage("mirror.tls.protocols: was SSLv2, must be a comma-separated list of TLSv1.3"
            + " and TLSv1.2 (older versions are refused)");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.protocols", "TLSv1.2,TLSv1.1")))
        .hasMessage("mirror.tls.protocols: was TLSv1.2,TLSv1.1, must be a comma-separated list of"
            + " TLSv1.3 and TLSv1.2 (older versions are refused)");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.tls.verify-hostname", "false")))
        .hasMessage("mirror.tls.verify-hostname: was false, must be true unless"
            + " mirror.tls.ca-file or mirror.tls.trust-store names a private trust anchor");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.transport", "jdk",
        "mirror.tls.verify-hostname", "false", "mirror.tls.ca-file",
        dir.resolve("ca.pem").toString())))
        .hasMessageStartingWith("mirror.tls.verify-hostname: was false, must be true with"
            + " transport jdk");
    MirrorConfig withPassword = MirrorConfig.parse(keys("mirror.tls.ca-file",
        dir.resolve("ca.pem").toString(), "mirror.tls.trust-store-password", PASSWORD));
    assertThat(withPassword.toString()).doesNotContain(PASSWORD).contains("[masked]");
  }

  @Test
  void perTargetMaterial_eachShadowItsOwn() throws Exception {
    shadow = pki.shadow(true);
    pki.writePem(dir, pki.client("only-b"));
    engine = MirrorConfig.parse(Map.of("mirror.targets", "a,b",
        "mirror.target.a.host", "https://127.0.0.1:" + shadow.getPort(),
        "mirror.target.b.host", "https://127.0.0.1:" + shadow.getPort(),
        "mirror.tls.ca-file", dir.resolve("ca.pem").toString(),
        "mirror.target.b.tls.cert-file", dir.resolve("client.pem").toString(),
        "mirror.target.b.tls.key-file", dir.resolve("client.key").toString())).newEngine();
    engine.submit(MirroredRequest.builder().build());
    RecordedRequest copy = shadow.takeRequest(10, TimeUnit.SECONDS);
    assertThat(commonName(copy)).isEqualTo("CN=only-b");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.stats().target("a").failedTotal() == 1);
  }
}
