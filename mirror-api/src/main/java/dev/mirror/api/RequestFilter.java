package dev.mirror.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which requests a policy takes, and which of those it lets through to sampling.
 *
 * <p>A policy <em>takes</em> a request when its method is listed (or the list is empty) and its
 * path matches an include pattern (or there are none): with several policies, the first that takes
 * a request is the one that decides it. A taken request is then <em>filtered out</em> if its path
 * matches an exclude pattern, or if its required headers, cookies and query parameters do not
 * match: all of them ({@link MatchMode#ALL}, the default) or at least one ({@link MatchMode#ANY}).
 *
 * @param methods methods taken, upper case; empty for all (the default, as APISIX)
 * @param includePaths path patterns taken; empty for all
 * @param excludePaths path patterns filtered out
 * @param requiredHeaders header name to the value required (exact, {@code *}, or {@code regex:})
 * @param requiredCookies cookie name to the value required
 * @param requiredQueryParameters query parameter name to the value required (percent-decoded)
 * @param matchMode whether every required value must match, or one is enough
 */
public record RequestFilter(
    Set<String> methods,
    List<PathPattern> includePaths,
    List<PathPattern> excludePaths,
    Map<String, ValueMatch> requiredHeaders,
    Map<String, ValueMatch> requiredCookies,
    Map<String, ValueMatch> requiredQueryParameters,
    MatchMode matchMode) {

  /** The value of a required header or cookie that accepts any value: {@value}. */
  public static final String ANY_VALUE = "*";

  /** How several required values combine. */
  public enum MatchMode {
    /** Every required header, cookie and query parameter must match (AND). */
    ALL,
    /** At least one must match (OR). */
    ANY
  }

  private static final RequestFilter ALL = new RequestFilter(Set.of(), List.of(), List.of(),
      Map.of(), Map.of(), Map.of(), MatchMode.ALL);

  /** Copies every collection; methods are upper-cased. */
  public RequestFilter {
    Set<String> upper = new LinkedHashSet<>();
    for (String method : methods) {
      if (method.isBlank()) {
        throw InvalidValue.of("methods", methods, "HTTP method names such as GET,HEAD");
      }
      upper.add(method.trim().toUpperCase(Locale.ROOT));
    }
    methods = Set.copyOf(upper);
    includePaths = List.copyOf(includePaths);
    excludePaths = List.copyOf(excludePaths);
    requiredHeaders = Map.copyOf(requiredHeaders);
    requiredCookies = Map.copyOf(requiredCookies);
    requiredQueryParameters = Map.copyOf(requiredQueryParameters);
    Objects.requireNonNull(matchMode, "matchMode");
  }

  /** Returns the filter that takes and lets through every request. */
  public static RequestFilter all() {
    return ALL;
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns true if a policy with this filter takes the request (method and include paths). */
  public boolean takes(RequestView request) {
    if (!methods.isEmpty() && !methods.contains(request.method())) {
      return false;
    }
    if (includePaths.isEmpty()) {
      return true;
    }
    String path = request.rawPath();
    for (int i = 0; i < includePaths.size(); i++) {
      if (includePaths.get(i).matches(path)) {
        return true;
      }
    }
    return false;
  }

  /** Returns true if a taken request passes the excludes and the header and cookie checks. */
  public boolean accepts(RequestView request) {
    if (!excludePaths.isEmpty()) {
      String path = request.rawPath();
      for (int i = 0; i < excludePaths.size(); i++) {
        if (excludePaths.get(i).matches(path)) {
          return false;
        }
      }
    }
    if (requiredHeaders.isEmpty() && requiredCookies.isEmpty()
        && requiredQueryParameters.isEmpty()) {
      return true;
    }
    boolean any = matchMode == MatchMode.ANY;
    for (Map.Entry<String, ValueMatch> required : requiredHeaders.entrySet()) {
      if (required.getValue().matches(request.header(required.getKey())) == any) {
        return any;
      }
    }
    for (Map.Entry<String, ValueMatch> required : requiredCookies.entrySet()) {
      if (required.getValue().matches(request.cookie(required.getKey())) == any) {
        return any;
      }
    }
    for (Map.Entry<String, ValueMatch> required : requiredQueryParameters.entrySet()) {
      if (required.getValue().matches(request.queryParameter(required.getKey())) == any) {
        return any;
      }
    }
    return !any;
  }

  /** Builds a {@link RequestFilter}. */
  public static final class Builder {
    private final Set<String> methods = new LinkedHashSet<>();
    private final List<PathPattern> includePaths = new ArrayList<>();
    private final List<PathPattern> excludePaths = new ArrayList<>();
    private final Map<String, ValueMatch> requiredHeaders = new LinkedHashMap<>();
    private final Map<String, ValueMatch> requiredCookies = new LinkedHashMap<>();
    private final Map<String, ValueMatch> requiredQuery = new LinkedHashMap<>();
    private MatchMode matchMode = MatchMode.ALL;

    private Builder() {}

    /** Takes only these methods, for example {@code GET, HEAD} for shadows with side effects. */
    public Builder methods(String... methods) {
      for (String method : methods) {
        this.methods.add(Objects.requireNonNull(method, "method"));
      }
      return this;
    }

    /** Takes only paths matching one of these globs. */
    public Builder includePaths(String... globs) {
      for (String glob : globs) {
        includePaths.add(PathPattern.of(glob));
      }
      return this;
    }

    /** Filters out paths matching one of these globs. */
    public Builder excludePaths(String... globs) {
      for (String glob : globs) {
        excludePaths.add(PathPattern.of(glob));
      }
      return this;
    }

    /**
     * Requires a header with this value: exact, {@value RequestFilter#ANY_VALUE} for any, or
     * {@code regex:<pattern>} matched against the whole value.
     *
     * @throws IllegalArgumentException if a regular expression does not compile
     */
    public Builder requireHeader(String name, String value) {
      requiredHeaders.put(Objects.requireNonNull(name, "name"), ValueMatch.of(value));
      return this;
    }

    /** Requires a cookie with this value, written as for {@link #requireHeader}. */
    public Builder requireCookie(String name, String value) {
      requiredCookies.put(Objects.requireNonNull(name, "name"), ValueMatch.of(value));
      return this;
    }

    /** Requires a query parameter (percent-decoded) with this value, as for headers. */
    public Builder requireQueryParameter(String name, String value) {
      requiredQuery.put(Objects.requireNonNull(name, "name"), ValueMatch.of(value));
      return this;
    }

    /** Whether every required value must match (the default) or one is enough. */
    public Builder matchMode(MatchMode mode) {
      this.matchMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Returns the filter; the builder stays usable. */
    public RequestFilter build() {
      return new RequestFilter(methods, includePaths, excludePaths, requiredHeaders,
          requiredCookies, requiredQuery, matchMode);
    }
  }
}
