package dev.mirror.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --set mirror.<key>=<value>} (repeatable): any engine key of the library's table
 * (timeouts, TLS, {@code max-in-flight}, the comparison's keys), checked by its parser.
 */
final class EngineKeys {

  @Option(names = "--set", paramLabel = "mirror.<key>=<value>",
      description = "any mirror.* key of the library's configuration table (timeouts, TLS,"
          + " max-in-flight, compare.*); repeatable")
  private List<String> settings = List.of();

  /**
   * The keys given, in order.
   *
   * @throws IllegalArgumentException naming the option, for a value not {@code mirror.<key>=...}
   */
  Map<String, String> keys() {
    Map<String, String> keys = new LinkedHashMap<>();
    for (String setting : settings) {
      int eq = setting.indexOf('=');
      if (!setting.startsWith("mirror.") || eq < 0) {
        throw new IllegalArgumentException("--set: was " + setting
            + ", must be mirror.<key>=<value>");
      }
      keys.put(setting.substring(0, eq), setting.substring(eq + 1));
    }
    return keys;
  }
}
