package dev.mirror.core;

import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.ConfigKey;
import dev.mirror.core.config.MirrorConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Explains why a {@code mirror.} key was not used: a misspelling (with the closest key), a key
 * given at a level it does not apply to, or a policy or target that is not configured.
 */
final class UnknownKey {

  private UnknownKey() {}

  static MirrorConfigException explain(String key, List<String> policyNames,
      List<MirrorPolicy> policies) {
    String rest = key.substring(ConfigCatalog.PREFIX.length());
    String policy = null;
    String target = null;
    if (rest.startsWith("policy.") && rest.indexOf('.', 7) > 0) {
      policy = rest.substring(7, rest.indexOf('.', 7));
      rest = rest.substring(8 + policy.length());
    }
    if (rest.startsWith("target.") && rest.indexOf('.', 7) > 0) {
      target = rest.substring(7, rest.indexOf('.', 7));
      rest = rest.substring(8 + target.length());
    }
    Optional<ConfigKey<?>> known = ConfigCatalog.find(rest);
    if (known.isEmpty()) {
      String closest = closest(rest);
      String where = key.substring(0, key.length() - rest.length());
      return new MirrorConfigException(key, closest == null
          ? "unknown key, must be one of " + String.join(", ", names())
          : "unknown key, did you mean " + where + closest + "?");
    }
    ConfigKey<?> found = known.get();
    if (target != null && found.scope() != ConfigKey.Scope.TARGET) {
      return new MirrorConfigException(key, "is not used: " + found.suffix() + " applies to a"
          + " whole " + (found.scope() == ConfigKey.Scope.ENGINE ? "engine" : "policy")
          + ", not to one target");
    }
    if (policy != null && found.scope() == ConfigKey.Scope.ENGINE) {
      return new MirrorConfigException(key, "is not used: " + found.suffix()
          + " applies to the whole engine, set " + found.name());
    }
    if (policy != null && (policyNames == null || !policyNames.contains(policy))) {
      return new MirrorConfigException(key, "is not used: policy " + policy + " is not listed in"
          + " mirror.policies" + (policyNames == null ? " (not set)" : " (" + String.join(",",
              policyNames) + ")"));
    }
    if (target != null) {
      List<String> targets = new ArrayList<>();
      for (MirrorPolicy p : policies) {
        if (policy == null || p.name().equals(policy)) {
          p.targets().stream().map(MirrorTarget::name).forEach(targets::add);
        }
      }
      return new MirrorConfigException(key, "is not used: target " + target + " is not listed in"
          + " the targets of " + (policy == null ? "any policy" : "policy " + policy)
          + " (" + String.join(",", targets) + ")");
    }
    return new MirrorConfigException(key, "is not used: it applies to no policy or target");
  }

  private static TreeSet<String> names() {
    TreeSet<String> names = new TreeSet<>(ConfigCatalog.NESTING);
    for (ConfigKey<?> key : ConfigCatalog.keys()) {
      names.add(key.name());
    }
    return names;
  }

  /** The known suffix nearest to a misspelt one, within three edits; null if none is. */
  private static String closest(String suffix) {
    String best = null;
    int bestDistance = 4;
    for (ConfigKey<?> key : ConfigCatalog.keys()) {
      int d = distance(suffix, key.suffix());
      if (d < bestDistance) {
        best = key.suffix() + (key.family() ? "<name>" : "");
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
