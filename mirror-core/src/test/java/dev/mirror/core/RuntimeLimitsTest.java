package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.testing.TestPki;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up bounds on TLS material and verification, with real PEM files. */
class RuntimeLimitsTest {

  @TempDir
  Path dir;

  private Map<String, String> keys(String... more) {
    Map<String, String> keys = new TreeMap<>();
    keys.put("mirror.host", "https://staging.internal:8443");
    keys.put("mirror.tls.ca-file", dir.resolve("ca.pem").toString());
    for (int i = 0; i < more.length; i += 2) {
      keys.put(more[i], more[i + 1]);
    }
    return keys;
  }

  @Test
  void tlsFilesNamedAtStartUp_mayBeNamedAgain_othersAreRefusedBeforeAnyIsRead()
      throws Exception {
    TestPki pki = new TestPki();
    pki.writePem(dir, pki.client("c"));
    RuntimeLimits limits = RuntimeLimits.of(MirrorConfig.parse(keys()));

    Map<String, String> same = keys("mirror.tls.ca-file",
        dir.resolve("./ca.pem").toString());
    assertThatCode(() -> limits.checkKeys(same)).doesNotThrowAnyException();
    assertThatCode(() -> limits.check(MirrorConfig.parse(same))).doesNotThrowAnyException();

    assertThatThrownBy(() -> limits.checkKeys(keys("mirror.policy.default.target.default.tls"
        + ".cert-file", dir.resolve("client.pem").toString())))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.policy.default.target.default.tls.cert-file: was "
            + dir.resolve("client.pem") + ", must be a file the start-up configuration names"
            + " for TLS material (a runtime change reads no other file)");
  }

  @Test
  void hostNameVerification_onAtStartUp_staysOn_andProtocolsOnlyNarrow() throws Exception {
    new TestPki().writePem(dir, new TestPki().client("c"));
    RuntimeLimits limits = RuntimeLimits.of(MirrorConfig.parse(keys()));
    assertThatThrownBy(() -> limits.check(MirrorConfig.parse(keys(
        "mirror.tls.verify-hostname", "false"))))
        .hasMessage("mirror.policy.default.target.default.tls.verify-hostname: was false, must"
            + " be true, as at start-up (a runtime change may tighten a safeguard, never relax"
            + " it)");
    assertThatCode(() -> limits.check(MirrorConfig.parse(keys("mirror.tls.protocols",
        "TLSv1.3")))).doesNotThrowAnyException();

    RuntimeLimits narrow = RuntimeLimits.of(MirrorConfig.parse(keys("mirror.tls.protocols",
        "TLSv1.3")));
    assertThatThrownBy(() -> narrow.check(MirrorConfig.parse(keys())))
        .hasMessage("mirror.policy.default.target.default.tls.protocols: was TLSv1.3,TLSv1.2,"
            + " must be some of TLSv1.3, as at start-up (a runtime change may tighten a"
            + " safeguard, never relax it)");

    RuntimeLimits unverified = RuntimeLimits.of(MirrorConfig.parse(keys(
        "mirror.tls.verify-hostname", "false")));
    assertThatCode(() -> unverified.check(MirrorConfig.parse(keys()))).as("tightening")
        .doesNotThrowAnyException();
    assertThat(unverified).isNotNull();
  }
}
