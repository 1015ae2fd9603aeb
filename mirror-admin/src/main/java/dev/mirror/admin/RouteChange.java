package dev.mirror.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.ConfigKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns the body of {@code POST /routes/{route}/mirror} into flat keys over the configuration in
 * force: the seed gateway's fields ({@code mirrorHost}, {@code mirrorPort}, {@code percentage},
 * {@code synchronous}, {@code logResponses}), APISIX's attributes ({@code host}, {@code path},
 * {@code path_concat_mode}, {@code sample_ratio}) and {@code mirror.*} keys for the route. The
 * engine then validates the result through the configuration catalog, so a bad value gets the
 * start-up message, told with the field's name.
 */
final class RouteChange {

  /** The fields accepted besides {@code mirror.*} keys, as the error for an unknown one lists. */
  static final List<String> FIELDS = List.of("mirrorHost", "mirrorPort", "percentage",
      "synchronous", "logResponses", "host", "path", "path_concat_mode", "sample_ratio");

  /** A field that cannot be used; {@code field} is null when the body as a whole is wrong. */
  static final class FieldException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String field;
    /** The answer's status: 400, or 409 for a change the route's state does not allow. */
    final int status;

    FieldException(String field, String message) {
      this(field, message, 400);
    }

    FieldException(String field, String message, int status) {
      super(message, null, false, false);
      this.field = field;
      this.status = status;
    }
  }

  private final String route;
  private final String prefix;
  private final String target;
  private final List<String> targets;
  private final SortedMap<String, String> keys;
  /** Which field each written key came from, to name it in errors. */
  private final Map<String, String> fieldOf = new HashMap<>();
  private final List<String> fields = new ArrayList<>();
  /** Why the change must not be applied though its keys are valid (409), or null. */
  private FieldException conflict;

  private RouteChange(String route, List<String> targets, SortedMap<String, String> current) {
    this.route = route;
    this.prefix = "mirror.policy." + route + ".";
    this.targets = List.copyOf(targets);
    this.target = targets.isEmpty() ? "default" : targets.get(0);
    this.keys = new TreeMap<>(current);
  }

  /**
   * Applies a body to the keys in force.
   *
   * @param route the route (policy) changed
   * @param targets the names of the route's targets, in order (empty if it has none): a new
   *     mirror host replaces the route's one target, keeping its name ({@code default} if none)
   * @throws FieldException naming the field at fault (a new mirror host on a route with more
   *     than one target is told by {@link #conflict()}, once the keys were checked)
   */
  static RouteChange of(String route, List<String> targets, SortedMap<String, String> current,
      ObjectNode body) {
    RouteChange change = new RouteChange(route, targets, current);
    change.read(body);
    return change;
  }

  SortedMap<String, String> keys() {
    return keys;
  }

  /**
   * Why this change must not be applied even if its keys pass every check: a new mirror host
   * for a route with more than one target (status 409); null if none.
   */
  FieldException conflict() {
    return conflict;
  }

  /** The fields given, in order: what the log says was changed (never their values). */
  List<String> fields() {
    return fields;
  }

  /**
   * The field a key written by this change came from, or null. A key the change did not write
   * itself but that follows from one it wrote (a target key printed at the target's place when
   * the field set it for the route) is told by its last part.
   */
  String fieldOf(String key) {
    String field = fieldOf.get(key);
    if (field != null || key == null) {
      return field;
    }
    for (Map.Entry<String, String> written : fieldOf.entrySet()) {
      String suffix = written.getKey().startsWith(prefix + "target.")
          ? written.getKey().substring(written.getKey().indexOf('.', prefix.length()
              + "target.".length()) + 1)
          : written.getKey().substring(prefix.length());
      if (key.startsWith(prefix) && key.endsWith("." + suffix)) {
        return written.getValue();
      }
    }
    return null;
  }

  private void read(ObjectNode body) {
    String host = null;
    String hostField = null;
    Integer port = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      fields.add(name);
      switch (name) {
        case "mirrorHost", "host" -> {
          host = text(name, value);
          hostField = name;
        }
        case "mirrorPort" -> port = integer(name, value, 1, 65535);
        case "percentage" -> {
          int percent = integer(name, value, 0, 100);
          put(prefix + "enabled", String.valueOf(percent > 0), name);
          if (percent > 0) {
            put(prefix + "sample-ratio", String.valueOf(percent / 100.0), name);
          }
        }
        case "synchronous" -> put(prefix + "synchronous", bool(name, value), name);
        case "logResponses" -> put(prefix + "log-responses", bool(name, value), name);
        case "path" -> put(prefix + "path", text(name, value), name);
        case "path_concat_mode" -> put(prefix + "path-concat-mode", text(name, value), name);
        case "sample_ratio" -> put(prefix + "sample-ratio", number(name, value), name);
        default -> {
          if (!name.startsWith("mirror.")) {
            throw new FieldException(name, name + ": unknown field, must be one of "
                + String.join(", ", FIELDS) + ", or a mirror.* key");
          }
          String suffix = name.substring("mirror.".length());
          String text = scalar(name, value);
          ConfigKey<?> key = ConfigCatalog.find(suffix).orElse(null);
          if (key != null && key.scope() == ConfigKey.Scope.ENGINE) {
            throw new FieldException(name, name + ": cannot change while the engine runs"
                + " (restart to change it)");
          }
          if (key != null && key.suffix().equals("host")) {
            host = text;
            hostField = name;
          } else if (key != null && key.scope() == ConfigKey.Scope.TARGET
              && !key.suffix().equals("sample-ratio")) {
            // Printed keys sit at the most specific place: a policy-level key would be hidden.
            // A flat key names no target: it applies to every target of the route.
            for (String t : targets.isEmpty() ? List.of(target) : targets) {
              put(prefix + "target." + t + "." + suffix, text, name);
            }
          } else {
            put(prefix + suffix, text, name);
          }
        }
      }
    }
    if (host == null) {
      if (port != null) {
        throw new FieldException("mirrorPort", "mirrorPort: was " + port
            + ", must be given with mirrorHost");
      }
      return;
    }
    if (targets.size() > 1) {
      // The seed's body names one mirror target; a route with several would silently lose all
      // but one. Refused (after the address is checked like any), nothing changed: one target
      // at a time is changed by its own key.
      conflict = new FieldException(hostField, hostField + ": route " + route + " mirrors to "
          + targets.size() + " targets (" + String.join(", ", targets) + "), must name the one"
          + " to change: {\"mirror.target." + targets.get(0) + ".host\": \"...\"} changes "
          + targets.get(0) + " alone and keeps the others", 409);
    }
    String address = host;
    if (hostField.equals("mirrorHost")) {
      if (!host.contains("://")) {
        // Never a guess: a host meant for https must not silently get the copies in clear.
        throw new FieldException(hostField, hostField + ": was " + host + ", must be"
            + " scheme://host with the scheme written out, such as https://" + host);
      }
      if (port != null) {
        address += ":" + port;
      }
    } else if (port != null) {
      throw new FieldException("mirrorPort", "mirrorPort: was " + port
          + ", must be given with mirrorHost, not with " + hostField);
    }
    // The route's mirror target is replaced: one target, keeping its name (and its counters).
    String others = prefix + "target.";
    keys.keySet().removeIf(k -> k.startsWith(others) && !k.startsWith(others + target + "."));
    keys.remove(prefix + "host");
    put(prefix + "targets", target, hostField);
    put(others + target + ".host", address, hostField);
  }

  private void put(String key, String value, String field) {
    keys.put(key, value);
    fieldOf.put(key, field);
  }

  private static String text(String field, JsonNode value) {
    if (!value.isTextual()) {
      throw new FieldException(field, field + ": was " + value + ", must be a string");
    }
    return value.textValue();
  }

  private static int integer(String field, JsonNode value, int min, int max) {
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min
        || value.intValue() > max) {
      throw new FieldException(field, field + ": was " + value + ", must be an integer in ["
          + min + ", " + max + "]");
    }
    return value.intValue();
  }

  private static String bool(String field, JsonNode value) {
    if (!value.isBoolean()) {
      throw new FieldException(field, field + ": was " + value + ", must be true or false");
    }
    return String.valueOf(value.booleanValue());
  }

  private static String number(String field, JsonNode value) {
    if (!value.isNumber()) {
      throw new FieldException(field, field + ": was " + value + ", must be a number");
    }
    return value.asText();
  }

  private static String scalar(String field, JsonNode value) {
    if (!value.isValueNode() || value.isNull()) {
      throw new FieldException(field, field + ": was " + value
          + ", must be a string, a number or a boolean");
    }
    return value.asText();
  }
}
