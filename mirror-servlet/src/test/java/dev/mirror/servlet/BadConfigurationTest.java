package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Invalid configurations stop the deployment, with the key (and value) in the message. */
class BadConfigurationTest {

  @AfterAll
  static void writeRecord() {
    ReliabilityRecord.write();
  }

  /** Each row: init-params as k=v pairs separated by ' ; ', then the message expected. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "mirror.host=ftp://127.0.0.1:1999 | mirror.host: was ftp://127.0.0.1:1999, must be scheme://host[:port]",
      "mirror.host=127.0.0.1:1999 | mirror.host: was 127.0.0.1:1999, must be scheme://host[:port]",
      "mirror.host=http://shadow/api | mirror.host: was http://shadow/api, must be scheme://host[:port]",
      "mirror.host=http://shadow:99999 | mirror.host: was http://shadow:99999, must be scheme://host[:port]",
      "mirror.host=http://user@shadow | mirror.host: was http://user@shadow, must be scheme://host[:port]",
      "mirror.host= | mirror.host: was '', must be scheme://host[:port]",
      "mirror.host=http://a ; mirror.sample-ratio=0 | mirror.sample-ratio: was 0, must be in [0.00001, 1]",
      "mirror.host=http://a ; mirror.sample-ratio=1.5 | mirror.sample-ratio: was 1.5, must be in [0.00001, 1]",
      "mirror.host=http://a ; mirror.sample-ratio=half | mirror.sample-ratio: was half, must be in [0.00001, 1]",
      "mirror.host=http://a ; mirror.path=v2 | mirror.path: was v2, must be a path matching ^/[^?&]+$",
      "mirror.host=http://a ; mirror.path=/a?b=c | mirror.path: was /a?b=c, must be a path matching ^/[^?&]+$",
      "mirror.host=http://a ; mirror.path-concat-mode=append | mirror.path-concat-mode: was append, must be replace or prefix",
      "mirror.host=http://a ; mirror.timeout.connect=0ms | mirror.timeout.connect: was 0ms, must be a duration",
      "mirror.host=http://a ; mirror.timeout.read=2 | mirror.timeout.read: was 2, must be a duration such as 500ms, 2s or 1m",
      "mirror.host=http://a ; mirror.timeout.read=-1s | mirror.timeout.read: was -1s, must be a duration",
      "mirror.host=http://a ; mirror.max-body-bytes=-1 | mirror.max-body-bytes: was -1, must be an integer in [0, 67108864]",
      "mirror.host=http://a ; mirror.max-body-bytes=1e9 | mirror.max-body-bytes: was 1e9, must be an integer",
      "mirror.host=http://a ; mirror.max-in-flight=0 | mirror.max-in-flight: was 0, must be an integer in [1, 100000]",
      "mirror.host=http://a ; mirror.max-in-flight=many | mirror.max-in-flight: was many, must be an integer",
      "mirror.host=http://a ; mirror.rate-limit=-1 | mirror.rate-limit: was -1, must be copies per second",
      "mirror.host=http://a ; mirror.synchronous=yes | mirror.synchronous: was yes, must be true or false",
      "mirror.host=http://a ; mirror.log-responses=2 | mirror.log-responses: was 2, must be true or false",
      "mirror.host=http://a ; mirror.http-version=3 | mirror.http-version: was 3, must be HTTP/1.1, HTTP/2 or h2c",
      "mirror.host=http://a ; mirror.host-header=a b | mirror.host-header: was 'a b', must be original, target, or a literal",
      "mirror.host=http://a ; mirror.sticky-key=user | mirror.sticky-key: was user, must be header:<name> or cookie:<name>",
      "mirror.host=http://a ; mirror.methods=GET,,POST | mirror.methods: was 'GET,,POST', must be a comma-separated list",
      "mirror.host=http://a ; mirror.include-paths=api | mirror.include-paths: was api, must be a glob starting with /",
      "mirror.host=http://a ; mirror.marker-header=X Bad | mirror.marker-header: was 'X Bad', must be a header name",
      "mirror.host=http://a ; mirror.redact-mode=hide | mirror.redact-mode: was hide, must be mask or remove",
      "mirror.host=http://a ; mirror.circuit.failure-threshold=0 | mirror.circuit.failure-threshold: was 0, must be an integer",
      "mirror.host=http://a ; mirror.circuit.cool-down=soon | mirror.circuit.cool-down: was soon, must be a duration",
      "mirror.host=http://a ; mirror.close-timeout=2h | mirror.close-timeout: was 2h, must be a duration",
      "mirror.host=http://a ; mirror.dispatch-threads=0 | mirror.dispatch-threads: was 0, must be an integer in [1, 64]",
      "mirror.host=http://a ; mirror.sample-rate=0.5 | mirror.sample-rate: unknown key",
      "mirror.host=http://a ; mirror.timeout.write=1s | mirror.timeout.write: unknown key",
      "mirror.host=http://a ; mirror.targets=b ; mirror.target.b.host=http://b | mirror.targets: was b, must not be set together with mirror.host",
      "mirror.host=http://a ; mirror.require-https=true | mirror.host: was http://a, must be an https:// or grpcs:// address, because mirror.require-https is true",
      "mirror.targets=a | mirror.target.a.host: is missing",
      "mirror.targets=a,a | mirror.targets: was a,a, must be a comma-separated list of distinct names",
      "mirror.policies=api ; mirror.policy.api.include-paths=/api/** | mirror.policy.api.host: is missing",
      "mirror.sample-ratio=0.5 | mirror.host: is missing",
  })
  void invalidConfiguration_failsTheDeployment_namingTheKey(String params, String message) {
    Map<String, String> init = new LinkedHashMap<>();
    for (String pair : params.split(" ; ")) {
      int eq = pair.indexOf('=');
      init.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
    }
    assertThatThrownBy(() -> new MirrorFilter().init(FilterConfigs.of(init, new HashMap<>())))
        .isInstanceOf(ServletException.class)
        .hasMessageStartingWith("Invalid mirror configuration for filter mirror: " + message);
    ReliabilityRecord.row("Bad configuration (init-params)", "`" + params.replace("|", "\\|") + "`",
        "deployment fails", "`" + message.replace("|", "\\|") + " …`");
  }
}
