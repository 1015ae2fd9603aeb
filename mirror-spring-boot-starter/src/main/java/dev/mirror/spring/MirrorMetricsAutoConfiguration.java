package dev.mirror.spring;

import dev.mirror.core.MirrorEngine;
import dev.mirror.micrometer.MirrorMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Binds mirror's meters ({@link MirrorMetrics}) when Micrometer and {@code mirror-micrometer} are
 * on the class path; Spring Boot binds every {@code MeterBinder} bean to its registries.
 */
@AutoConfiguration(after = MirrorAutoConfiguration.class)
@ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry",
    "dev.mirror.micrometer.MirrorMetrics"})
@ConditionalOnBean(MirrorEngine.class)
public class MirrorMetricsAutoConfiguration {

  /** The meters over the application's engine. */
  @Bean
  @ConditionalOnMissingBean(MirrorMetrics.class)
  public MirrorMetrics mirrorMetrics(MirrorEngine engine) {
    return new MirrorMetrics(engine);
  }
}
