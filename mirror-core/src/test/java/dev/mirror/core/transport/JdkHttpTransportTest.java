package dev.mirror.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.api.MirrorTransport;
import org.junit.jupiter.api.Test;

/** The JDK client's transport, found as {@code jdk}, and its former name kept for a release. */
class JdkHttpTransportTest {

  @Test
  void theJdkProvider_makesAJdkHttpTransport() {
    JdkHttpTransport.Provider provider = new JdkHttpTransport.Provider();
    assertThat(provider.name()).isEqualTo("jdk");
    MirrorTransport made = provider.create();
    try {
      assertThat(made).isExactlyInstanceOf(JdkHttpTransport.class);
    } finally {
      made.close();
    }
  }

  @Test
  @SuppressWarnings("removal")
  void theFormerName_isTheSameTransport() {
    HttpTransport old = HttpTransport.create(1);
    try {
      assertThat(old).isInstanceOf(JdkHttpTransport.class);
    } finally {
      old.close();
    }
  }
}
