package dev.mirror.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MirrorTargetTest {

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1", "http://a", "http://[::1]:202",
      "https://example.com:443", "http://staging-1.internal:8080"})
  void address_apisixAcceptedCases_areAccepted(String address) {
    assertThat(MirrorTarget.builder("t", address).build().address()).isEqualTo(address);
  }

  @ParameterizedTest
  @ValueSource(strings = {"FTP://127.0.0.1:1999", "1tp://h", "127.0.0.1:1999", "http://127.0.0.1::1999",
      "http://127.0.0.1:1999/invalid_uri", "http://h/", "http://user@h", "http://h?q=1",
      "http://h:0", "http://h:65536", "HTTP//h", ""})
  void address_apisixRejectedCases_areRejectedWithTheRule(String address) {
    assertThatThrownBy(() -> MirrorTarget.builder("t", address))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("host: was " + address + ", must be " + MirrorTarget.ADDRESS_RULE);
  }

  @Test
  void parts_areReadFromTheAddress() {
    MirrorTarget ipv6 = MirrorTarget.builder("t", "http://[::1]:202").build();
    assertThat(ipv6.host()).isEqualTo("[::1]");
    assertThat(ipv6.port()).isEqualTo(202);
    assertThat(ipv6.authority()).isEqualTo("[::1]:202");
    assertThat(MirrorTarget.builder("t", "https://a.b").build().port()).isEqualTo(443);
    assertThat(MirrorTarget.builder("t", "http://a.b").build().port()).isEqualTo(80);
    assertThat(MirrorTarget.builder("t", "grpcs://a.b").build().port()).isEqualTo(443);
    assertThat(MirrorTarget.builder("t", "grpc://a.b").build().port()).isEqualTo(80);
    assertThat(MirrorTarget.builder("t", "grpc://a.b:50051").build().isHttp()).isFalse();
    assertThat(MirrorTarget.builder("t", "https://a.b").build().isHttp()).isTrue();
    MirrorTarget capture = MirrorTarget.builder("t", "file:///var/log/mirror/").build();
    assertThat(capture.scheme()).isEqualTo("file");
    assertThat(capture.directory()).isEqualTo("/var/log/mirror/");
    assertThat(MirrorTarget.builder("t", "file:///tmp").build().directory()).isEqualTo("/tmp");
    for (String bad : new String[] {"file://relative/dir", "file:///a/../etc", "file:///a//b",
        "file:///a?q", "file:"}) {
      assertThatThrownBy(() -> MirrorTarget.builder("t", bad)).as(bad)
          .hasMessageStartingWith("host: was " + bad + ", must be");
    }
  }

  @Test
  void defaults_protectTheApplication() {
    MirrorTarget target = MirrorTarget.builder("t", "http://a").build();
    assertThat(target.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(target.readTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(target.maxInFlight()).isEqualTo(MirrorTarget.DEFAULT_MAX_IN_FLIGHT);
    assertThat(target.hostHeader()).isEqualTo(HostHeader.original());
    assertThat(target.httpVersion()).isEqualTo(HttpVersion.HTTP_1_1);
  }

  @Test
  void builder_rejectsBadValuesNamingTheField() {
    MirrorTarget.Builder b = MirrorTarget.builder("t", "http://a");
    assertThatThrownBy(() -> b.maxInFlight(0))
        .hasMessage("max-in-flight: was 0, must be in [1, 100000]");
    assertThatThrownBy(() -> b.readTimeout(Duration.ZERO))
        .hasMessage("read-timeout: was 0ms, must be a positive duration of at most 1h");
    assertThatThrownBy(() -> b.readTimeout(Duration.ofMinutes(61)))
        .hasMessage("read-timeout: was 3660000ms, must be a positive duration of at most 1h");
    assertThatThrownBy(() -> b.rateLimit(-1))
        .hasMessage("rate-limit: was -1.0, must be in [0, 1000000], 0 for no limit");
    // The same caps as the configuration keys: a builder accepts nothing the parser refuses.
    assertThatThrownBy(() -> b.rateLimit(1_000_001))
        .hasMessage("rate-limit: was 1000001.0, must be in [0, 1000000], 0 for no limit");
    assertThatThrownBy(() -> b.failureThreshold(1_000_001))
        .hasMessage("circuit.failure-threshold: was 1000001, must be in [1, 1000000]");
    assertThatThrownBy(() -> MirrorTarget.builder("a b", "http://a"))
        .hasMessage("target name: was 'a b', must be letters, digits, '-' or '_'");
  }

  @Test
  void builder_canBuildTwice_andToBuilderRoundTrips() {
    MirrorTarget.Builder b = MirrorTarget.builder("t", "http://a").maxInFlight(7);
    MirrorTarget first = b.build();
    assertThat(b.build()).isEqualTo(first);
    assertThat(first.toBuilder().build()).isEqualTo(first);
  }
}
