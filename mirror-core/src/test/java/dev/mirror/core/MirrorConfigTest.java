package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.HostHeader;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.PathMode;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.ConfigKey;
import dev.mirror.core.config.MirrorConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MirrorConfigTest {

  private static Map<String, String> keys(String... keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  @Test
  void oneKey_givesOnePolicyWithProtectiveDefaults() {
    MirrorConfig config = MirrorConfig.parse(keys("mirror.host", "http://127.0.0.1:9797",
        "unrelated.key", "ignored"));
    MirrorPolicy policy = config.policies().get(0);
    assertThat(policy.name()).isEqualTo("default");
    assertThat(policy.maxBodyBytes()).isEqualTo(65_536);
    assertThat(policy.mode()).isEqualTo(MirrorMode.ASYNCHRONOUS);
    assertThat(policy.filter().methods()).isEmpty();
    MirrorTarget target = policy.targets().get(0);
    assertThat(target.address()).isEqualTo("http://127.0.0.1:9797");
    assertThat(target.readTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(target.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(target.maxInFlight()).isEqualTo(MirrorTarget.DEFAULT_MAX_IN_FLIGHT);
    assertThat(config.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void everySingleTargetKey_isApplied() {
    MirrorConfig config = MirrorConfig.parse(keys(
        "mirror.host", "https://shadow:8443", "mirror.path", "/v2", "mirror.path-concat-mode",
        "prefix", "mirror.sample-ratio", "0.25", "mirror.timeout.connect", "250ms",
        "mirror.timeout.read", "3s", "mirror.max-body-bytes", "1024", "mirror.max-in-flight", "7",
        "mirror.synchronous", "true", "mirror.log-responses", "TRUE", "mirror.rate-limit", "50",
        "mirror.host-header", "target", "mirror.http-version", "HTTP/2",
        "mirror.circuit.failure-threshold", "3", "mirror.circuit.cool-down", "1m",
        "mirror.methods", "GET, HEAD", "mirror.include-paths", "/api/**",
        "mirror.exclude-paths", "/api/login", "mirror.match-header.X-Tenant", "acme",
        "mirror.match-cookie.beta", "*", "mirror.remove-headers", "Cookie",
        "mirror.mask-headers", "Authorization", "mirror.mask-value", "xxx",
        "mirror.set-header.X-Env", "shadow", "mirror.marker-header", "X-Shadow",
        "mirror.dispatch-threads", "3", "mirror.close-timeout", "0ms"));
    MirrorPolicy policy = config.policies().get(0);
    MirrorTarget target = policy.targets().get(0);
    assertThat(policy.rewrite().pathOverride()).isEqualTo("/v2");
    assertThat(policy.rewrite().pathMode()).isEqualTo(PathMode.PREFIX);
    assertThat(policy.rewrite().removeHeaders()).containsExactly("Cookie");
    assertThat(policy.rewrite().maskHeaders()).containsExactly("Authorization");
    assertThat(policy.rewrite().maskValue()).isEqualTo("xxx");
    assertThat(policy.rewrite().setHeaders().first("x-env")).isEqualTo("shadow");
    assertThat(policy.sampler().toString()).isEqualTo("Sampler.ratio(0.25)");
    assertThat(policy.maxBodyBytes()).isEqualTo(1024);
    assertThat(policy.mode()).isEqualTo(MirrorMode.SYNCHRONOUS);
    assertThat(policy.logResponses()).isTrue();
    assertThat(policy.markerHeader()).isEqualTo("X-Shadow");
    assertThat(policy.filter().methods()).containsExactlyInAnyOrder("GET", "HEAD");
    assertThat(policy.filter().includePaths()).hasSize(1);
    assertThat(policy.filter().excludePaths()).hasSize(1);
    assertThat(policy.filter().requiredHeaders()).containsEntry("X-Tenant", dev.mirror.api.ValueMatch.of("acme"));
    assertThat(policy.filter().requiredCookies()).containsEntry("beta", dev.mirror.api.ValueMatch.of("*"));
    assertThat(target.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(target.readTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(target.maxInFlight()).isEqualTo(7);
    assertThat(target.rateLimit()).isEqualTo(50.0);
    assertThat(target.hostHeader()).isEqualTo(HostHeader.target());
    assertThat(target.httpVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(target.failureThreshold()).isEqualTo(3);
    assertThat(target.coolDown()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.dispatchThreads()).isEqualTo(3);
    assertThat(config.closeTimeout()).isZero();
  }

  @Test
  void namedTargetsAndPolicies_inheritFromTheMostSpecificLevel() {
    MirrorConfig config = MirrorConfig.parse(keys(
        "mirror.policies", "login,api",
        "mirror.policy.login.include-paths", "/login,/signup",
        "mirror.policy.login.enabled", "false",
        "mirror.policy.api.targets", "staging,perf",
        "mirror.policy.api.sample-ratio", "0.5",
        "mirror.policy.api.sticky-key", "header:X-User-Id",
        "mirror.policy.api.target.staging.host", "http://staging:8080",
        "mirror.policy.api.target.perf.host", "http://perf:9000",
        "mirror.policy.api.target.perf.sample-ratio", "0.2",
        "mirror.policy.api.target.perf.timeout.read", "5s",
        "mirror.policy.api.timeout.read", "3s",
        "mirror.timeout.read", "1s",
        "mirror.timeout.connect", "300ms"));
    assertThat(config.policies()).extracting(MirrorPolicy::name).containsExactly("login", "api");
    assertThat(config.policies().get(0).enabled()).isFalse();
    MirrorPolicy api = config.policies().get(1);
    MirrorTarget staging = api.targets().get(0);
    MirrorTarget perf = api.targets().get(1);
    assertThat(staging.readTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(perf.readTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(staging.connectTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(api.sampler().toString()).isEqualTo("Sampler.stickyHeader(X-User-Id, 0.5)");
    assertThat(perf.sampler().toString()).isEqualTo("Sampler.stickyHeader(X-User-Id, 0.1)");
    assertThat(staging.sampler().toString()).isEqualTo("Sampler.always()");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "mirror.host | ftp://127.0.0.1:1999 | mirror.host: was ftp://127.0.0.1:1999, must be scheme://host[:port] with scheme http, https or one a transport serves (grpc, grpcs with mirror-grpc), and no path, query or trailing slash; or file:///<directory> (mirror-capture) (no transport on the class path serves ftp://)",
      "mirror.host | 127.0.0.1:1999 | mirror.host: was 127.0.0.1:1999, must be scheme://host[:port] with scheme http, https or one a transport serves (grpc, grpcs with mirror-grpc), and no path, query or trailing slash; or file:///<directory> (mirror-capture)",
      "mirror.host | http://127.0.0.1::1999 | mirror.host: was http://127.0.0.1::1999, must be scheme://host[:port] with scheme http, https or one a transport serves (grpc, grpcs with mirror-grpc), and no path, query or trailing slash; or file:///<directory> (mirror-capture)",
      "mirror.host | http://127.0.0.1:1999/invalid_uri | mirror.host: was http://127.0.0.1:1999/invalid_uri, must be scheme://host[:port] with scheme http, https or one a transport serves (grpc, grpcs with mirror-grpc), and no path, query or trailing slash; or file:///<directory> (mirror-capture)",
      "mirror.host | http://h/ | mirror.host: was http://h/, must be scheme://host[:port] with scheme http, https or one a transport serves (grpc, grpcs with mirror-grpc), and no path, query or trailing slash; or file:///<directory> (mirror-capture)",
      "mirror.path | a | mirror.path: was a, must be a path matching ^/[^?&]+$",
      "mirror.path | /a?a=c | mirror.path: was /a?a=c, must be a path matching ^/[^?&]+$",
      "mirror.path | / | mirror.path: was /, must be a path matching ^/[^?&]+$",
      "mirror.sample-ratio | 0 | mirror.sample-ratio: was 0, must be in [0.00001, 1]",
      "mirror.sample-ratio | 10 | mirror.sample-ratio: was 10, must be in [0.00001, 1]",
      "mirror.sample-ratio | 0.000001 | mirror.sample-ratio: was 0.000001, must be in [0.00001, 1]",
      "mirror.sample-ratio | half | mirror.sample-ratio: was half, must be in [0.00001, 1]",
      "mirror.path-concat-mode | append | mirror.path-concat-mode: was append, must be replace or prefix",
      "mirror.timeout.read | 2 | mirror.timeout.read: was 2, must be a duration such as 500ms, 2s or 1m",
      "mirror.timeout.connect | 0ms | mirror.timeout.connect: was 0ms, must be a duration such as 500ms, 2s or 1m, more than 0 and at most 1h",
      "mirror.timeout.read | 2h | mirror.timeout.read: was 2h, must be a duration such as 500ms, 2s or 1m, more than 0 and at most 1h",
      "mirror.max-body-bytes | -1 | mirror.max-body-bytes: was -1, must be an integer in [0, 67108864]",
      "mirror.max-body-bytes | 64k | mirror.max-body-bytes: was 64k, must be an integer in [0, 67108864]",
      "mirror.max-in-flight | 0 | mirror.max-in-flight: was 0, must be an integer in [1, 100000]",
      "mirror.synchronous | yes | mirror.synchronous: was yes, must be true or false",
      "mirror.log-responses | 1 | mirror.log-responses: was 1, must be true or false",
      "mirror.rate-limit | -5 | mirror.rate-limit: was -5, must be copies per second in [0, 1000000], 0 for no limit",
      "mirror.http-version | HTTP/3 | mirror.http-version: was HTTP/3, must be HTTP/1.1, HTTP/2 or h2c",
      "mirror.host-header | a b | mirror.host-header: was 'a b', must be original, target, or a literal host[:port]",
      "mirror.sticky-key | X-User-Id | mirror.sticky-key: was X-User-Id, must be header:<name> or cookie:<name>, for example header:X-User-Id",
      "mirror.methods | GET,,HEAD | mirror.methods: was 'GET,,HEAD', must be a comma-separated list without empty entries",
      "mirror.include-paths | api/** | mirror.include-paths: was api/**, must be a glob starting with / such as /api/**",
      "mirror.marker-header | X Mirror | mirror.marker-header: was 'X Mirror', must be a header name (an HTTP token)",
      "mirror.circuit.failure-threshold | 0 | mirror.circuit.failure-threshold: was 0, must be an integer in [1, 1000000]",
      "mirror.dispatch-threads | 100 | mirror.dispatch-threads: was 100, must be an integer in [1, 64]",
      "mirror.max-connections | 0 | mirror.max-connections: was 0, must be an integer in [1, 256]",
      "mirror.max-connections | 257 | mirror.max-connections: was 257, must be an integer in [1, 256]",
      "mirror.redact-mode | hide | mirror.redact-mode: was hide, must be mask or remove",
      "mirror.transport | jetty | mirror.transport: was jetty, must be the name of a transport on the class path: one of jdk, nio (jetty comes with the module mirror-transport-jetty)",
      "mirror.transport | java.lang.String | mirror.transport: was java.lang.String, must be the name of a transport on the class path: one of jdk, nio (jetty comes with the module mirror-transport-jetty)",
      "mirror.redact-credentials | on | mirror.redact-credentials: was on, must be true or false",
      "mirror.require-https | true | mirror.host: was http://127.0.0.1:1, must be an https:// or grpcs:// address, because mirror.require-https is true",
      // Peers' spellings, and keys that are not used: why.
      "mirror.percentage | 0 | mirror.percentage: was 0, must be a percentage in [0.001, 100]",
      "mirror.percentage | 101 | mirror.percentage: was 101, must be a percentage in [0.001, 100]",
      "mirror.sample_ratio | 2 | mirror.sample_ratio: was 2, must be in [0.00001, 1]",
      "mirror.sample-rate | 0.5 | mirror.sample-rate: unknown key, did you mean mirror.sample-ratio?",
      "mirror.timout.read | 1s | mirror.timout.read: unknown key, did you mean mirror.timeout.read?",
      "mirror.target.default.tmeout.read | 1s | mirror.target.default.tmeout.read: unknown key, did you mean mirror.target.default.timeout.read?",
      "mirror.target.default.methods | GET | mirror.target.default.methods: is not used: methods applies to a whole policy, not to one target",
      "mirror.policy.default.transport | jdk | mirror.policy.default.transport: is not used: transport applies to the whole engine, set mirror.transport",
      "mirror.policy.api.timeout.read | 1s | mirror.policy.api.timeout.read: is not used: policy api is not listed in mirror.policies (not set)",
      "mirror.target.x.host | http://x | mirror.target.x.host: is not used: target x is not listed in the targets of any policy (default)",
  })
  void invalidValue_failsNamingKeyValueAndRule(String key, String value, String message) {
    Map<String, String> config = new HashMap<>(keys("mirror.host", "http://127.0.0.1:1"));
    config.put(key, value);
    assertThatThrownBy(() -> MirrorConfig.parse(config))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage(message)
        .extracting(e -> ((MirrorConfigException) e).key())
        .isEqualTo(message.substring(0, message.indexOf(':')));
  }

  @Test
  void requireHttps_acceptsHttpsTargets_andChecksNamedOnes() {
    assertThat(MirrorConfig.parse(keys("mirror.host", "https://a", "mirror.require-https", "true"))
        .policies()).hasSize(1);
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.targets", "a,b",
        "mirror.target.a.host", "https://a", "mirror.target.b.host", "http://b",
        "mirror.require-https", "true")))
        .hasMessage("mirror.target.b.host: was http://b, must be an https:// or grpcs:// address, because"
            + " mirror.require-https is true");
  }

  @Test
  void apisixBoundaryRatios_areAccepted() {
    for (String ratio : new String[] {"0.00001", "1"}) {
      assertThat(MirrorConfig.parse(keys("mirror.host", "http://a", "mirror.sample-ratio", ratio))
          .policies()).hasSize(1);
    }
  }

  @Test
  void unknownKey_farFromAnyKnownOne_isRejectedListingTheValidOnes() {
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.host", "http://a",
        "mirror.shadow-weight", "0.5")))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageStartingWith("mirror.shadow-weight: unknown key, must be one of"
            + " mirror.allowed-targets, mirror.circuit.cool-down,"
            + " mirror.circuit.failure-threshold,");
  }

  @Test
  void missingHost_isAnError_notASilentlyDisabledMirror() {
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.sample-ratio", "0.5")))
        .hasMessage("mirror.host: is missing, must be set to the shadow's scheme://host[:port]"
            + " (or list mirror.targets)");
  }

  @Test
  void conflictingKeys_areNamed() {
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.host", "http://a",
        "mirror.targets", "b", "mirror.target.b.host", "http://b")))
        .hasMessage("mirror.targets: was b, must not be set together with mirror.host (use one of"
            + " them)");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.targets", "a,a")))
        .hasMessage("mirror.targets: was a,a, must be a comma-separated list of distinct names of"
            + " letters, digits, '-' or '_'");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.targets", "a")))
        .hasMessage("mirror.target.a.host: is missing, must be set for every target listed in"
            + " mirror.targets");
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.host", "http://a",
        "mirror.target.x.host", "http://x")))
        .hasMessageStartingWith("mirror.target.x.host: is not used: target x is not listed");
  }

  @Test
  void propertiesFile_isLoaded(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    Path file = dir.resolve("mirror.properties");
    Files.writeString(file, "mirror.host=http://127.0.0.1:7\nmirror.sample-ratio=0.5\n");
    assertThat(MirrorConfig.load(file).policies().get(0).targets().get(0).port()).isEqualTo(7);
  }

  @Test
  void readmeKeyTable_listsExactlyTheCatalogsKeys_withTheirDefaults() throws IOException {
    String whole = Files.readString(Path.of("..", "README.md"));
    // The reference table; other tables (meters, admin keys) live in their own sections.
    String readme = whole.substring(whole.indexOf("## Configuration reference"));
    Map<String, String> documented = new TreeMap<>();
    Matcher row = Pattern.compile("(?m)^\\| `(mirror\\.[^`]+)` \\| ([^|]*) \\|").matcher(readme);
    while (row.find()) {
      documented.put(row.group(1), row.group(2));
    }
    Set<String> catalog = new TreeSet<>(ConfigCatalog.NESTING);
    for (ConfigKey<?> key : ConfigCatalog.keys()) {
      catalog.add(key.name());
      if (key.defaultValue() != null) {
        assertThat(documented.get(key.name())).as("README's default of " + key.name())
            .contains("`" + key.defaultValue() + "`");
      }
    }
    // The admin endpoint's keys are its module's, checked by its own test.
    // So are the transports' and stores' own settings (mirror.file.*, mirror.kafka.*,
    // mirror.control.kafka.*), read by them.
    documented.keySet().removeIf(key -> key.startsWith("mirror.admin.")
        || key.startsWith("mirror.spring.") || key.startsWith("mirror.file.")
        || key.startsWith("mirror.kafka.") || key.startsWith("mirror.control.kafka."));
    assertThat(documented.keySet()).isEqualTo(catalog);
  }

  @Test
  void everyCatalogDefault_parsesUnderItsOwnRule() {
    for (ConfigKey<?> key : ConfigCatalog.keys()) {
      if (key.defaultValue() != null) {
        assertThat(key.parse(key.name(), key.defaultValue())).as(key.name()).isNotNull();
      }
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // keys, then what the parsed configuration must equal
      "mirror.host=http://a",
      "mirror.host=https://a:8443;mirror.sample-ratio=0.25;mirror.sticky-key=header:X-User;mirror.timeout.read=1500ms",
      "mirror.targets=a,b;mirror.target.a.host=http://a;mirror.target.b.host=http://b:81;mirror.target.b.sample-ratio=0.5;mirror.rate-limit=12.5",
      "mirror.policies=api,off;mirror.policy.api.host=http://a;mirror.policy.api.include-paths=/api/**,/v2/*;mirror.policy.off.enabled=false;mirror.methods=GET,HEAD",
      "mirror.host=http://a;mirror.match-header.X-Tenant=acme;mirror.match-cookie.beta=*;mirror.set-header.X-Env=shadow;mirror.set-header.X-A=1;mirror.remove-headers=Cookie;mirror.mask-headers=Authorization;mirror.mask-value=xxx",
      "mirror.host=https://a;mirror.require-https=true;mirror.redact-credentials=true;mirror.redact-cookies=SESSION;mirror.redact-query-params=token;mirror.redact-mode=remove",
      "mirror.host=http://a;mirror.path=/v2;mirror.path-concat-mode=prefix;mirror.host-header=shadow.internal:80;mirror.http-version=HTTP/2;mirror.circuit.cool-down=1m;mirror.circuit.failure-threshold=3",
      "mirror.host=http://a;mirror.synchronous=true;mirror.log-responses=true;mirror.marker-header=X-Shadow;mirror.max-body-bytes=0;mirror.close-timeout=0ms;mirror.dispatch-threads=3;mirror.transport=jdk",
      "mirror.host=http://a;mirror.percentage=50;mirror.path_concat_mode=prefix;mirror.path=/p;mirror.logResponses=true",
      "mirror.targets=a,b;mirror.target.a.host=http://a;mirror.target.b.host=http://b;mirror.target.a.headers.set.Authorization=Bearer x;mirror.headers.remove=X-A,X-B;mirror.target.b.headers.mask=X-C",
  })
  void parsedConfiguration_printsBackToKeysThatParseToAnEqualOne(String given) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (String pair : given.split(";")) {
      keys.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    MirrorConfig config = MirrorConfig.parse(keys);
    Map<String, String> printed = config.toProperties();
    MirrorConfig again = MirrorConfig.parse(printed);
    assertThat(again).isEqualTo(config);
    assertThat(again.policies()).isEqualTo(config.policies());
    assertThat(again.toProperties()).isEqualTo(printed);
    // Every printed key is a catalog key at its most specific place.
    for (String key : printed.keySet()) {
      assertThat(key).matches("mirror\\.(transport|dispatch-threads|close-timeout|policies"
          + "|pipelining|max-connections"
          + "|policy\\.[A-Za-z0-9_-]+\\..+)");
    }
  }

  @Test
  void printedConfiguration_isExplicit_andDiffersWhenASettingDiffers() {
    MirrorConfig config = MirrorConfig.parse(keys("mirror.host", "http://a"));
    assertThat(config.toProperties()).containsEntry("mirror.policy.default.target.default.timeout.read", "2s")
        .containsEntry("mirror.policy.default.target.default.host", "http://a")
        .containsEntry("mirror.policies", "default").containsEntry("mirror.transport", "nio");
    assertThat(MirrorConfig.parse(keys("mirror.host", "http://a", "mirror.timeout.read", "3s")))
        .isNotEqualTo(config);
    assertThat(MirrorConfig.parse(keys("mirror.host", "http://a", "mirror.sample-ratio", "0.5")))
        .isNotEqualTo(config);
  }

  @Test
  void printedConfiguration_showsEveryValue_defaultsIncluded() {
    // README: toProperties() prints a configuration back with every value explicit.
    MirrorConfig plain = MirrorConfig.parse(keys("mirror.host", "http://a"));
    assertThat(plain.toProperties())
        .containsEntry("mirror.policy.default.sample-ratio", "1.0")
        .containsEntry("mirror.policy.default.require-https", "false")
        .containsEntry("mirror.pipelining", "true")
        .containsEntry("mirror.max-connections", "256");
    MirrorConfig tls = MirrorConfig.parse(keys("mirror.host", "https://a",
        "mirror.tls.protocols", "TLSv1.3"));
    String t = "mirror.policy.default.target.default.";
    assertThat(tls.toProperties())
        .containsEntry(t + "tls.protocols", "TLSv1.3")
        .containsEntry(t + "tls.verify-hostname", "true")
        .containsEntry(t + "tls.trust-store-type", "PKCS12")
        .containsEntry(t + "tls.key-store-type", "PKCS12");
    assertThat(MirrorConfig.parse(tls.toProperties()).toProperties())
        .isEqualTo(tls.toProperties());
    MirrorConfig notPipelined = MirrorConfig.parse(keys("mirror.host", "http://a",
        "mirror.pipelining", "false", "mirror.max-connections", "16"));
    assertThat(notPipelined.toProperties()).containsEntry("mirror.pipelining", "false")
        .containsEntry("mirror.max-connections", "16");
  }

  @ParameterizedTest
  @CsvSource({"mirror.timeout.read, 1h", "mirror.timeout.connect, 1h",
      "mirror.circuit.cool-down, 1h", "mirror.close-timeout, 1h"})
  void anHour_isAccepted_asReadmeSaysDurationsGoUpTo1h(String key, String value) {
    MirrorConfig config = MirrorConfig.parse(keys("mirror.host", "http://a", key, value));
    assertThat(MirrorConfig.parse(config.toProperties())).isEqualTo(config);
    assertThat(MirrorConfig.parse(keys("mirror.host", "http://a", key, "60m")))
        .isEqualTo(config);
  }

  @Test
  void peersSpellings_areAccepted_andMeanTheSameAsOurs() {
    MirrorConfig ours = MirrorConfig.parse(keys("mirror.host", "http://a",
        "mirror.sample-ratio", "0.5", "mirror.path-concat-mode", "prefix", "mirror.path", "/p",
        "mirror.log-responses", "true"));
    assertThat(MirrorConfig.parse(keys("mirror.host", "http://a", "mirror.sample_ratio", "0.5",
        "mirror.path_concat_mode", "prefix", "mirror.path", "/p", "mirror.logResponses", "true")))
        .isEqualTo(ours);
    assertThat(MirrorConfig.parse(keys("mirror.host", "http://a", "mirror.percentage", "50",
        "mirror.path_concat_mode", "prefix", "mirror.path", "/p", "mirror.logResponses", "true")))
        .isEqualTo(ours);
    assertThat(ConfigCatalog.find("percentage")).contains(ConfigCatalog.SAMPLE_RATIO);
    assertThat(ConfigCatalog.SAMPLE_RATIO.aliases()).containsExactly("sample_ratio", "percentage");
  }

  @Test
  void twoSpellingsOfOneKeyAtOnePlace_conflict() {
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.host", "http://a",
        "mirror.sample-ratio", "0.5", "mirror.percentage", "50")))
        .hasMessage("mirror.percentage: must not be set together with mirror.sample-ratio (two"
            + " spellings of one key)");
  }

  @Test
  void builderAndCatalog_drawTheSameLines() {
    // What the parser refuses, the builder refuses, and the largest value both accept.
    MirrorTarget.Builder target = MirrorTarget.builder("t", "http://a");
    assertThat(MirrorConfig.parse(keys("mirror.host", "http://a", "mirror.rate-limit", "1000000"))
        .policies().get(0).targets().get(0).rateLimit()).isEqualTo(1_000_000);
    assertThat(target.rateLimit(1_000_000).build().rateLimit()).isEqualTo(1_000_000);
    assertThatThrownBy(() -> target.rateLimit(1_000_000.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MirrorConfig.parse(keys("mirror.host", "http://a",
        "mirror.rate-limit", "1000000.5"))).isInstanceOf(MirrorConfigException.class);
    assertThatThrownBy(() -> target.failureThreshold(1_000_001))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> target.readTimeout(Duration.ofMinutes(61)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(target.readTimeout(Duration.ofHours(1)).build().readTimeout())
        .isEqualTo(Duration.ofHours(1));
    assertThat(MirrorConfig.parse(keys("mirror.host", "http://a", "mirror.timeout.read", "60m"))
        .policies().get(0).targets().get(0).readTimeout()).isEqualTo(Duration.ofHours(1));
  }
}
