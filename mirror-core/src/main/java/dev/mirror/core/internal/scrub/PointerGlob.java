package dev.mirror.core.internal.scrub;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON-pointer glob such as {@code /items/*}{@code /updatedAt}: {@code *} matches one step,
 * {@code **} any number; {@code ~1} and {@code ~0} stand for {@code /} and {@code ~} as in RFC
 * 6901. Read once, matched often.
 */
public final class PointerGlob {

  private final String[] segments;

  private PointerGlob(String[] segments) {
    this.segments = segments;
  }

  /** Reads a glob that starts with {@code /}. */
  static PointerGlob of(String glob) {
    return new PointerGlob(split(glob));
  }

  /** Reads each glob. */
  public static List<PointerGlob> all(List<String> globs) {
    List<PointerGlob> out = new ArrayList<>(globs.size());
    for (String glob : globs) {
      out.add(of(glob));
    }
    return List.copyOf(out);
  }

  /** The steps of a pointer ({@code ""} is the whole document: no step), unescaped. */
  public static List<String> steps(String pointer) {
    return pointer.isEmpty() ? List.of() : List.of(split(pointer));
  }

  private static String[] split(String pointer) {
    String[] segments = pointer.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      segments[i] = segments[i].replace("~1", "/").replace("~0", "~");
    }
    return segments;
  }

  /** True if the pointer with these steps is named by this glob. */
  boolean matches(List<String> steps) {
    return matches(segments, 0, steps, 0);
  }

  /** True if the pointer, or one it lies under, is named by this glob. */
  public boolean matchesOrContains(List<String> steps) {
    for (int n = steps.size(); n >= 1; n--) {
      if (matches(segments, 0, steps.subList(0, n), 0)) {
        return true;
      }
    }
    return false;
  }

  static boolean matches(String[] glob, int g, List<String> path, int p) {
    if (g == glob.length) {
      return p == path.size();
    }
    if (glob[g].equals("**")) {
      for (int skip = p; skip <= path.size(); skip++) {
        if (matches(glob, g + 1, path, skip)) {
          return true;
        }
      }
      return false;
    }
    return p < path.size() && (glob[g].equals("*") || glob[g].equals(path.get(p)))
        && matches(glob, g + 1, path, p + 1);
  }
}
