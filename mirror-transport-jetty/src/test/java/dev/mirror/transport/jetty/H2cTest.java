package dev.mirror.transport.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.MirrorEngine;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.junit.jupiter.api.Test;

/** Copies over cleartext HTTP/2 with prior knowledge, to a shadow that speaks only that. */
class H2cTest {

  @Test
  void copies_goOutAsStreamsOfOneConnection_toAnH2cOnlyShadow() throws Exception {
    try (MockWebServer shadow = new MockWebServer()) {
      shadow.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
      shadow.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse.Builder().code(200).build();
        }
      });
      shadow.start(InetAddress.getByName("127.0.0.1"), 0);
      try (MirrorEngine engine = MirrorConfig.parse(Map.of(
          "mirror.host", "http://127.0.0.1:" + shadow.getPort(),
          "mirror.transport", "jetty", "mirror.http-version", "h2c")).newEngine()) {
        int copies = 200;
        // In waves the transport's cap (32 copies in flight) can hold, so none is dropped.
        for (int wave = 0; wave < copies / 20; wave++) {
          for (int i = 0; i < 20; i++) {
            engine.submit(MirroredRequest.builder().method("POST").rawTarget("/h2c/" + i)
                .body(("copy " + i).getBytes(StandardCharsets.UTF_8)).build());
          }
          long expected = (wave + 1) * 20L;
          await().atMost(Duration.ofSeconds(10)).alias("sent in this wave")
              .until(() -> engine.stats().target("default").sent() == expected);
        }
        Set<Integer> connections = new HashSet<>();
        for (int i = 0; i < copies; i++) {
          RecordedRequest copy = shadow.takeRequest(5, TimeUnit.SECONDS);
          assertThat(copy.getVersion()).isEqualTo("HTTP/2");
          connections.add(copy.getConnectionIndex());
        }
        assertThat(connections).as("connections used").hasSize(1);
      }
    }
  }

  @Test
  void h2c_isRefusedWhereItCannotWork_namingTheKey() {
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "http://a",
        "mirror.http-version", "h2c")))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageStartingWith("mirror.http-version: was h2c, must be HTTP/1.1 or HTTP/2 with"
            + " transport nio");
    assertThatThrownBy(() -> MirrorConfig.parse(Map.of("mirror.host", "https://a",
        "mirror.transport", "jetty", "mirror.http-version", "h2c")))
        .hasMessage("mirror.http-version: was h2c, must be HTTP/2 for an https:// target (h2c is"
            + " cleartext)");
  }
}
