package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Outcome;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MirrorFilterLifecycleTest {

  private static FilterConfig config(Map<String, String> params, Map<String, Object> attributes) {
    return FilterConfigs.of(params, attributes);
  }

  @Test
  void init_withAnInvalidValue_failsNamingTheKey() {
    MirrorFilter filter = new MirrorFilter();
    assertThatThrownBy(() -> filter.init(config(
        Map.of("mirror.host", "http://127.0.0.1:9/path"), new HashMap<>())))
        .isInstanceOf(ServletException.class)
        .hasMessage("Invalid mirror configuration for filter mirror: mirror.host: was"
            + " http://127.0.0.1:9/path, must be scheme://host[:port] with scheme http, https or"
            + " one a transport serves (grpc, grpcs with mirror-grpc), and no path, query or"
            + " trailing slash; or file:///<directory> (mirror-capture)");
  }

  @Test
  void init_withoutHost_failsRatherThanRunningWithoutMirroring() {
    assertThatThrownBy(() -> new MirrorFilter().init(config(Map.of(), new HashMap<>())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("mirror.host: is missing");
  }

  @Test
  void destroy_closesTheEngineTheFilterBuilt_andPublishesIt() throws Exception {
    Map<String, Object> attributes = new HashMap<>();
    MirrorFilter filter = new MirrorFilter();
    filter.init(config(Map.of("mirror.host", "http://127.0.0.1:9"), attributes));
    MirrorEngine engine = (MirrorEngine) attributes.get(MirrorFilter.ENGINE_ATTRIBUTE_PREFIX + "mirror");
    assertThat(engine).isSameAs(filter.dispatcher());
    filter.destroy();
    assertThat(engine.submit(MirroredRequest.builder().build()).outcome())
        .isEqualTo(Outcome.DISABLED);
  }

  @Test
  void destroy_leavesAUsersDispatcherOpen() throws Exception {
    try (MirrorEngine engine = MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:9"))
        .newEngine()) {
      MirrorFilter filter = new MirrorFilter(engine);
      filter.init(config(Map.of(), new HashMap<>()));
      filter.destroy();
      dev.mirror.api.Decision decision = engine.decide(MirroredRequest.builder().build());
      assertThat(decision.mirrored()).isTrue();
      engine.abandon(decision, dev.mirror.api.DropReason.ERROR);
    }
  }
}
