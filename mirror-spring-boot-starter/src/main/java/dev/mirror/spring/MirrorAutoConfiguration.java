package dev.mirror.spring;

import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirrorListener;
import dev.mirror.api.MirrorTransport;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.servlet.MirrorFilter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Mirrors a Spring MVC application's requests as its {@code mirror.*} properties say (the same
 * keys as everywhere: {@code mirror.host=http://staging:8080}, or nested YAML). Registers {@link
 * MirrorFilter} first among the filters, so the copy sees the request as the client sent it;
 * closes the engine with the context; takes a {@link MirrorDispatcher}, {@link MirrorTransport}
 * or {@link MirrorListener} bean of the application's; binds the meters when Micrometer is there;
 * serves the Actuator endpoint {@code mirror} when the Actuator is.
 *
 * <p>Starter keys: {@code mirror.spring.filter-order} (default {@code Ordered.HIGHEST_PRECEDENCE
 * + 10}) and {@code mirror.spring.url-patterns} (default {@code /*}).
 *
 * <p>The management base path ({@code management.endpoints.web.base-path}, {@code /actuator} by
 * default, under the context and servlet paths) is never mirrored, whatever the {@code mirror.*}
 * keys say: management calls carry their callers' credentials and change the application, and a
 * shadow running the same application would apply them too.
 */
@AutoConfiguration
@ConditionalOnClass(MirrorFilter.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional(MirrorAutoConfiguration.Configured.class)
public class MirrorAutoConfiguration {

  /** Default order of the filter: before Spring's own filters that read the body. */
  public static final int DEFAULT_FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

  private static final Logger LOG = LoggerFactory.getLogger(MirrorAutoConfiguration.class);

  /** On when the application sets any engine key ({@code mirror.host}, ...). */
  static final class Configured extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context,
        AnnotatedTypeMetadata metadata) {
      return MirrorProperties.configured(context.getEnvironment())
          ? ConditionOutcome.match("mirror.* properties are set")
          : ConditionOutcome.noMatch("no mirror.* property is set");
    }
  }

  /**
   * The engine, from the {@code mirror.*} properties.
   *
   * @throws dev.mirror.core.config.MirrorConfigException naming the key, failing start-up
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(MirrorDispatcher.class)
  public MirrorEngine mirrorEngine(Environment environment,
      ObjectProvider<MirrorTransport> transport, ObjectProvider<MirrorListener> listeners) {
    MirrorConfig config = MirrorConfig.parse(MirrorProperties.from(environment));
    MirrorTransport own = transport.getIfAvailable();
    MirrorEngine.Builder builder = own == null ? config.engineBuilder()
        : MirrorEngine.builder().policies(config.policies())
            .dispatchThreads(config.dispatchThreads()).closeTimeout(config.closeTimeout())
            .transport(own);
    listeners.orderedStream().forEach(builder::listener);
    return builder.build();
  }

  /** The filter, on every request unless {@code mirror.spring.url-patterns} says otherwise. */
  @Bean
  public FilterRegistrationBean<MirrorFilter> mirrorFilter(MirrorDispatcher dispatcher,
      Environment environment) {
    FilterRegistrationBean<MirrorFilter> registration =
        new FilterRegistrationBean<>(new MirrorFilter(dispatcher, managementPaths(environment)));
    registration.setName("mirror");
    registration.setAsyncSupported(true);
    registration.setOrder(environment.getProperty(MirrorProperties.SPRING_PREFIX + "filter-order",
        Integer.class, DEFAULT_FILTER_ORDER));
    String patterns = environment.getProperty(MirrorProperties.SPRING_PREFIX + "url-patterns",
        "/*");
    registration.setUrlPatterns(List.of(patterns.split("\\s*,\\s*")));
    return registration;
  }

  /** Spring Boot's own web endpoints, for {@code exposure.include=*} with {@code base-path=/}. */
  private static final List<String> KNOWN_ENDPOINTS = List.of("auditevents", "beans", "caches",
      "conditions", "configprops", "env", "flyway", "health", "heapdump", "httpexchanges", "info",
      "integrationgraph", "liquibase", "logfile", "loggers", "mappings", "metrics", "prometheus",
      "quartz", "sbom", "scheduledtasks", "sessions", "shutdown", "startup", "threaddump");

  /**
   * The path globs of the Actuator's endpoints as the filter sees them (request URI, context
   * path included): {@code <context path><servlet path><base path>/**}. With the endpoints at the
   * root ({@code base-path=/}), each exposed endpoint's own path instead ({@code
   * management.endpoints.web.exposure.include}, {@code path-mapping.<id>}); {@code *} exposes
   * endpoints of other libraries too, whose paths the starter cannot know: that is said once in
   * the log, and {@code mirror.exclude-paths} is the way to keep them out.
   */
  static List<String> managementPaths(Environment environment) {
    String base = trimSlashes(environment.getProperty("management.endpoints.web.base-path",
        "/actuator"));
    String prefix = "";
    for (String part : new String[] {
        environment.getProperty("server.servlet.context-path", ""),
        environment.getProperty("spring.mvc.servlet.path", ""), base}) {
      String trimmed = trimSlashes(part);
      if (!trimmed.isEmpty()) {
        prefix += "/" + trimmed;
      }
    }
    List<String> globs = new ArrayList<>();
    if (!base.isEmpty()) {
      globs.add(prefix + "/**");
      return globs;
    }
    List<String> exposed = new ArrayList<>();
    for (String id : environment.getProperty("management.endpoints.web.exposure.include",
        "health").split("\\s*,\\s*")) {
      if (id.equals("*")) {
        LOG.warn("mirror: management.endpoints.web.base-path is / and every endpoint is exposed:"
            + " Spring Boot's own are kept out of mirroring, list any other in"
            + " mirror.exclude-paths, or it is mirrored like any other request");
        exposed.addAll(KNOWN_ENDPOINTS);
      } else if (!id.isBlank()) {
        exposed.add(id.trim());
      }
    }
    for (String id : exposed) {
      String path = trimSlashes(environment.getProperty(
          "management.endpoints.web.path-mapping." + id, id));
      globs.add(prefix + "/" + path);
      globs.add(prefix + "/" + path + "/**");
    }
    return globs;
  }

  private static String trimSlashes(String path) {
    return path == null ? "" : path.trim().replaceAll("^/+|/+$", "");
  }
}
