package dev.mirror.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Changes made to the copy only, never to the request the application serves.
 *
 * @param pathOverride the copy's path (or path prefix), matching {@code ^/[^?&]+$}; null to keep
 *     the request's path
 * @param pathMode how the override combines with the request's path
 * @param removeHeaders headers removed from the copy (any case)
 * @param maskHeaders headers whose values are replaced by {@code maskValue} on the copy
 * @param setHeaders headers set on the copy, replacing any of the same name
 * @param maskValue the value masked headers, cookies and query parameters carry
 * @param redactCredentials whether {@link #CREDENTIAL_HEADERS} are redacted (per {@code
 *     redactMode}); true unless the rewrite says otherwise ({@link #defaults()}, the builder)
 * @param redactCookies cookies redacted inside {@code Cookie} headers (per {@code redactMode})
 * @param redactQueryParams query parameters redacted (per {@code redactMode}); the rest of the
 *     query is kept byte for byte
 * @param redactMode whether redacted values are masked or removed
 * @param scrubbing what is scrubbed out of bodies, header values and the query
 */
public record Rewrite(
    String pathOverride,
    PathMode pathMode,
    List<String> removeHeaders,
    List<String> maskHeaders,
    Headers setHeaders,
    String maskValue,
    boolean redactCredentials,
    List<String> redactCookies,
    List<String> redactQueryParams,
    RedactMode redactMode,
    Scrubbing scrubbing) {

  /** How redacted values leave: masked or removed. */
  public enum RedactMode {
    /** The value is replaced by the mask value; the name stays. */
    MASK,
    /** The header, cookie or query parameter is left out. */
    REMOVE
  }

  /**
   * The credential headers redacted by {@code redactCredentials}: what a request carries to prove
   * who sends it ({@code Set-Cookie} too, which a request has no reason to carry but a relay may
   * have put there).
   */
  public static final List<String> CREDENTIAL_HEADERS =
      List.of("Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie");

  /** The value masked headers carry by default: {@value}. */
  public static final String DEFAULT_MASK_VALUE = "[masked]";

  /** The rule a path override must match, as APISIX's {@code path}. */
  public static final String PATH_RULE = "a path matching ^/[^?&]+$";

  private static final Pattern PATH = Pattern.compile("^/[^?&]+$");

  private static final Rewrite NONE = new Rewrite(null, PathMode.REPLACE, List.of(), List.of(),
      Headers.empty(), DEFAULT_MASK_VALUE, false, List.of(), List.of(), RedactMode.MASK,
      Scrubbing.none());

  private static final Rewrite DEFAULTS = new Rewrite(null, PathMode.REPLACE, List.of(),
      List.of(), Headers.empty(), DEFAULT_MASK_VALUE, true, List.of(), List.of(), RedactMode.MASK,
      Scrubbing.none());

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the path override breaks {@link #PATH_RULE}
   */
  public Rewrite {
    if (pathOverride != null && !PATH.matcher(pathOverride).matches()) {
      throw InvalidValue.of("path", pathOverride, PATH_RULE);
    }
    Objects.requireNonNull(pathMode, "pathMode");
    removeHeaders = List.copyOf(removeHeaders);
    maskHeaders = List.copyOf(maskHeaders);
    Objects.requireNonNull(setHeaders, "setHeaders");
    Objects.requireNonNull(maskValue, "maskValue");
    redactCookies = List.copyOf(redactCookies);
    redactQueryParams = List.copyOf(redactQueryParams);
    Objects.requireNonNull(redactMode, "redactMode");
    Objects.requireNonNull(scrubbing, "scrubbing");
  }

  /**
   * Returns the rewrite that changes nothing, credentials included: copies carry {@link
   * #CREDENTIAL_HEADERS} as received. For shadows that must authenticate as the client did; a
   * policy gets {@link #defaults()} unless it is given this.
   */
  public static Rewrite none() {
    return NONE;
  }

  /**
   * Returns the rewrite a policy has unless told otherwise: {@link #CREDENTIAL_HEADERS} masked,
   * nothing else changed.
   */
  public static Rewrite defaults() {
    return DEFAULTS;
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the copy's raw path for a request's raw path. */
  public String path(String rawPath) {
    if (pathOverride == null) {
      return rawPath;
    }
    return pathMode == PathMode.REPLACE ? pathOverride : pathOverride + rawPath;
  }

  /** Builds a {@link Rewrite}. */
  public static final class Builder {
    private String pathOverride;
    private PathMode pathMode = PathMode.REPLACE;
    private final List<String> removeHeaders = new ArrayList<>();
    private final List<String> maskHeaders = new ArrayList<>();
    private final Headers.Builder setHeaders = Headers.builder();
    private String maskValue = DEFAULT_MASK_VALUE;
    private boolean redactCredentials = true;
    private final List<String> redactCookies = new ArrayList<>();
    private final List<String> redactQueryParams = new ArrayList<>();
    private RedactMode redactMode = RedactMode.MASK;
    private Scrubbing scrubbing = Scrubbing.none();

    private Builder() {}

    /** Scrubs bodies, header values and the query as given (default: nothing). */
    public Builder scrubbing(Scrubbing scrubbing) {
      this.scrubbing = Objects.requireNonNull(scrubbing, "scrubbing");
      return this;
    }

    /**
     * Whether {@link #CREDENTIAL_HEADERS} are redacted on the copy (default true: copies go to
     * environments with weaker security, and a shadow seldom needs the client's credentials).
     */
    public Builder redactCredentials(boolean redact) {
      this.redactCredentials = redact;
      return this;
    }

    /** Redacts these cookies inside the copy's {@code Cookie} headers. */
    public Builder redactCookies(String... names) {
      for (String name : names) {
        redactCookies.add(Objects.requireNonNull(name, "name"));
      }
      return this;
    }

    /** Redacts these query parameters of the copy (matched raw or percent-decoded). */
    public Builder redactQueryParams(String... names) {
      for (String name : names) {
        redactQueryParams.add(Objects.requireNonNull(name, "name"));
      }
      return this;
    }

    /** Masks (the default) or removes what is redacted. */
    public Builder redactMode(RedactMode mode) {
      this.redactMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Sends copies to this path (or under it, in {@link PathMode#PREFIX}); the query is kept.
     *
     * @throws IllegalArgumentException if it breaks {@link #PATH_RULE}
     */
    public Builder path(String path, PathMode mode) {
      if (path != null && !PATH.matcher(path).matches()) {
        throw InvalidValue.of("path", path, PATH_RULE);
      }
      this.pathOverride = path;
      this.pathMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Removes these headers from the copy. */
    public Builder removeHeaders(String... names) {
      for (String name : names) {
        removeHeaders.add(Objects.requireNonNull(name, "name"));
      }
      return this;
    }

    /** Masks the values of these headers on the copy. */
    public Builder maskHeaders(String... names) {
      for (String name : names) {
        maskHeaders.add(Objects.requireNonNull(name, "name"));
      }
      return this;
    }

    /** Sets a header on the copy, replacing the request's. */
    public Builder setHeader(String name, String value) {
      setHeaders.set(name, value);
      return this;
    }

    /** The value masked values carry (default {@value #DEFAULT_MASK_VALUE}). */
    public Builder maskValue(String value) {
      this.maskValue = Objects.requireNonNull(value, "value");
      return this;
    }

    /** Returns the rewrite; the builder stays usable. */
    public Rewrite build() {
      return new Rewrite(pathOverride, pathMode, removeHeaders, maskHeaders, setHeaders.build(),
          maskValue, redactCredentials, redactCookies, redactQueryParams, redactMode, scrubbing);
    }
  }
}
