package dev.mirror.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * A configuration file as the flat {@code mirror.*} keys the core's parser takes: a {@code
 * .properties} file as it is, or a YAML file ({@code .yaml}, {@code .yml}) flattened the way
 * Spring Boot does ({@code mirror: {target: {v2: {host: ...}}}} is {@code
 * mirror.target.v2.host}; a list is its items joined by commas).
 */
final class ConfigFile {

  private ConfigFile() {}

  /**
   * Reads the file's keys, in the file's order.
   *
   * @throws IOException if it cannot be read or is not well-formed YAML
   */
  static Map<String, String> read(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
      Map<String, String> keys = new LinkedHashMap<>();
      if (root != null && !root.isMissingNode() && !root.isNull()) {
        if (!root.isObject()) {
          throw new IOException(file + ": not a YAML mapping of keys");
        }
        flatten("", root, keys);
      }
      return keys;
    }
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    }
    Map<String, String> keys = new LinkedHashMap<>();
    for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
      keys.put(key, properties.getProperty(key));
    }
    return keys;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> keys) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
            field.getValue(), keys);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(item -> items.add(item.asText()));
      keys.put(prefix, String.join(",", items));
    } else {
      keys.put(prefix, node.isNull() ? "" : node.asText());
    }
  }
}
