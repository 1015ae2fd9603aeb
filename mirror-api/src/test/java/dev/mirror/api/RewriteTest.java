package dev.mirror.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RewriteTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "/a?a=c", "/", "/a&b", ""})
  void path_apisixRejectedCases_areRejected(String path) {
    assertThatThrownBy(() -> Rewrite.builder().path(path, PathMode.REPLACE))
        .hasMessage("path: was " + path + ", must be a path matching ^/[^?&]+$");
  }

  @Test
  void replace_usesTheOverride_prefix_prependsIt() {
    assertThat(Rewrite.builder().path("/v2", PathMode.REPLACE).build().path("/a/b")).isEqualTo("/v2");
    assertThat(Rewrite.builder().path("/v2", PathMode.PREFIX).build().path("/a/b"))
        .isEqualTo("/v2/a/b");
    assertThat(Rewrite.none().path("/a%20b")).isEqualTo("/a%20b");
  }
}
