package dev.mirror.spring;

import dev.mirror.core.MirrorEngine;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The Actuator endpoint {@code mirror} ({@link MirrorEndpoint}) when the Actuator is present. */
@AutoConfiguration(after = MirrorAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(MirrorEngine.class)
public class MirrorEndpointAutoConfiguration {

  /** The endpoint over the application's engine. */
  @Bean
  @ConditionalOnMissingBean(MirrorEndpoint.class)
  public MirrorEndpoint mirrorEndpoint(MirrorEngine engine) {
    return new MirrorEndpoint(engine);
  }
}
