package dev.mirror.spring;

import java.util.Map;
import java.util.TreeMap;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * The {@code mirror.*} keys of a Spring environment, flat, as every other entry point reads them:
 * from {@code application.properties}, YAML (nested keys arrive flattened), the command line or
 * the environment, with Spring's precedence between them.
 */
final class MirrorProperties {

  /** Keys of the starter itself, not of the engine. */
  static final String SPRING_PREFIX = "mirror.spring.";

  private MirrorProperties() {}

  static Map<String, String> from(Environment environment) {
    Map<String, String> keys = new TreeMap<>();
    if (environment instanceof ConfigurableEnvironment configurable) {
      for (PropertySource<?> source : configurable.getPropertySources()) {
        if (source instanceof EnumerablePropertySource<?> enumerable) {
          for (String name : enumerable.getPropertyNames()) {
            if (name.startsWith("mirror.") && !keys.containsKey(name)) {
              String value = environment.getProperty(name);
              if (value != null) {
                keys.put(name, value);
              }
            }
          }
        }
      }
    }
    return keys;
  }

  /** True if the application configures mirroring at all (any engine key). */
  static boolean configured(Environment environment) {
    for (String key : from(environment).keySet()) {
      if (!key.startsWith(SPRING_PREFIX) && !key.startsWith("mirror.admin.")) {
        return true;
      }
    }
    return false;
  }
}
