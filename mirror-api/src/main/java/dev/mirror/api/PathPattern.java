package dev.mirror.api;

import java.util.Objects;

/**
 * A glob over raw request paths: {@code *} matches within one segment, {@code **} across
 * segments, and a trailing {@code /**} also matches the bare prefix ({@code /api/**} matches
 * {@code /api}). Everything else matches itself. Matching allocates nothing.
 */
public final class PathPattern {

  private final String glob;

  private PathPattern(String glob) {
    this.glob = glob;
  }

  /**
   * Compiles a glob such as {@code /api/**} or {@code /users/*}/{@code edit}.
   *
   * @throws IllegalArgumentException if it does not start with {@code /} or {@code *}
   */
  public static PathPattern of(String glob) {
    Objects.requireNonNull(glob, "glob");
    if (glob.isEmpty() || (glob.charAt(0) != '/' && glob.charAt(0) != '*')) {
      throw InvalidValue.of("path pattern", "'" + glob + "'", "a glob starting with / such as /api/**");
    }
    return new PathPattern(glob);
  }

  /** Returns true if the raw path matches. */
  public boolean matches(String path) {
    if (glob.endsWith("/**") && path.length() == glob.length() - 3
        && glob.regionMatches(0, path, 0, path.length())) {
      return true;
    }
    return match(0, path, 0);
  }

  private boolean match(int g, String path, int p) {
    while (g < glob.length()) {
      char c = glob.charAt(g);
      if (c == '*') {
        boolean crossSegments = g + 1 < glob.length() && glob.charAt(g + 1) == '*';
        int next = crossSegments ? g + 2 : g + 1;
        if (next == glob.length()) {
          return crossSegments || path.indexOf('/', p) < 0;
        }
        for (int i = p; i <= path.length(); i++) {
          if (match(next, path, i)) {
            return true;
          }
          if (i < path.length() && path.charAt(i) == '/' && !crossSegments) {
            return false;
          }
        }
        return false;
      }
      if (p >= path.length() || path.charAt(p) != c) {
        return false;
      }
      g++;
      p++;
    }
    return p == path.length();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PathPattern && glob.equals(((PathPattern) other).glob);
  }

  @Override
  public int hashCode() {
    return glob.hashCode();
  }

  /** Returns the glob. */
  @Override
  public String toString() {
    return glob;
  }
}
