package dev.mirror.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.core.MirrorEngine;
import dev.mirror.core.transport.NioHttpTransport;
import org.junit.jupiter.api.Test;

/**
 * The key table writes the defaults of the rooms above it (the engine, the nio transport) rather
 * than depending on them: they must agree.
 */
class ConfigCatalogDefaultsTest {

  @Test
  void theTableShowsTheEnginesAndTheTransportsOwnDefaults() {
    assertThat(ConfigCatalog.DISPATCH_THREADS.defaultValue())
        .isEqualTo(String.valueOf(MirrorEngine.DEFAULT_DISPATCH_THREADS));
    assertThat(ConfigCatalog.CLOSE_TIMEOUT.defaultValue())
        .isEqualTo(MirrorEngine.DEFAULT_CLOSE_TIMEOUT_MILLIS / 1000 + "s");
    assertThat(ConfigCatalog.TRANSPORT.defaultValue()).isEqualTo(NioHttpTransport.NAME);
    assertThat(ConfigCatalog.MAX_CONNECTIONS.defaultValue())
        .isEqualTo(String.valueOf(NioHttpTransport.DEFAULT_MAX_CONNECTIONS));
  }

  @Test
  void theConfigurationsPrefixIsTheTables() {
    assertThat(dev.mirror.core.MirrorConfig.PREFIX).isEqualTo(ConfigCatalog.PREFIX);
  }
}
