package dev.mirror.api;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * One shadow that copies are sent to, with its own limits.
 *
 * <p>Build with {@link #builder(String, String)}. The address follows APISIX's {@code host} rule:
 * a scheme, a DNS name, IPv4 or bracketed IPv6 address, an optional port, and nothing else (no
 * path, query, user-info or trailing slash). The scheme is {@code http} or {@code https}, or one a
 * transport on the class path serves ({@link MirrorTransportProvider#schemes()}: {@code grpc} and
 * {@code grpcs} with the module {@code mirror-grpc}); an engine refuses a target whose scheme no
 * transport serves. The one exception to "no path" is a capture directory: {@code
 * file:///var/log/mirror} (module {@code mirror-capture}), an absolute path and nothing else.
 *
 * @param name a short name used in stats and logs, for example {@code staging}
 * @param address {@code scheme://host[:port]}
 * @param connectTimeout the longest a connection may take to open
 * @param readTimeout the longest from sending a copy to its complete response
 * @param maxInFlight the most copies held for this target at once (queued plus sending); a copy
 *     that would be one more is dropped
 * @param maxInFlightBytes the most bytes held by this target's copies at once: their bodies, and
 *     their headers counted about three times (as received, composed and encoded); a copy that
 *     would go beyond is dropped. This, not the copies' count times the body limit, bounds the
 *     memory copies hold
 * @param rateLimit the most copies per second sent to this target, or 0 for no limit
 * @param sampler narrows the policy's decision for this target only; {@link Sampler#always()} to
 *     take every copy the policy decides on
 * @param hostHeader which {@code Host} the copies carry
 * @param httpVersion the HTTP version used
 * @param failureThreshold consecutive failures that open this target's circuit
 * @param coolDown how long an open circuit stays open before one probe is let through
 * @param sslContext the TLS context for https (for example with a client certificate for mTLS),
 *     or null for the JVM default
 * @param headers header changes for this target's copies only, after the policy's (a shadow's own
 *     credentials); {@link TargetHeaders#none()} for none
 * @param retry how copies that failed before reaching the shadow are sent again; {@link
 *     RetryPolicy#off()} for never
 * @param deadLetter where copies that end failed or dropped go instead of being lost; {@link
 *     DeadLetter#none()} for nowhere
 */
public record MirrorTarget(
    String name,
    String address,
    Duration connectTimeout,
    Duration readTimeout,
    int maxInFlight,
    int maxInFlightBytes,
    double rateLimit,
    Sampler sampler,
    HostHeader hostHeader,
    HttpVersion httpVersion,
    int failureThreshold,
    Duration coolDown,
    SSLContext sslContext,
    TargetHeaders headers,
    RetryPolicy retry,
    DeadLetter deadLetter) {

  /** Default connect timeout in milliseconds: {@value}. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 1_000;

  /** Default read timeout in milliseconds: {@value}. */
  public static final long DEFAULT_READ_TIMEOUT_MILLIS = 2_000;

  /**
   * Default cap on copies held per target: {@value}. Enough to ride out the tens of milliseconds
   * in which a shadow or the sending thread gets no CPU on a saturated machine (measured here on
   * 2 cores at full load: a fast shadow missed 5 to 15 % of the copies at a cap of 32, 2 to 4 %
   * at 1024, under 1 % at 2048). Not a number of connections: the default transport opens at
   * most 16 per shadow and pipelines to a fast one. What copies hold in memory is capped apart,
   * by {@link #DEFAULT_MAX_IN_FLIGHT_BYTES}.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 2048;

  /** Default cap on bytes held by a target's copies: {@value} (16 MiB). */
  public static final int DEFAULT_MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;

  /** Largest accepted {@code maxInFlightBytes}: {@value} (1 GiB). */
  public static final int MAX_MAX_IN_FLIGHT_BYTES = 1 << 30;

  /** Default consecutive failures that open the circuit: {@value}. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;

  /** Default time an open circuit waits before a probe, in milliseconds: {@value}. */
  public static final long DEFAULT_COOL_DOWN_MILLIS = 10_000;

  /** Largest accepted {@code maxInFlight}: {@value}. */
  public static final int MAX_MAX_IN_FLIGHT = 100_000;

  /** Largest accepted {@code rateLimit}, copies per second: {@value}. */
  public static final double MAX_RATE_LIMIT = 1_000_000;

  /** Largest accepted {@code failureThreshold}: {@value}. */
  public static final int MAX_FAILURE_THRESHOLD = 1_000_000;

  /** Longest accepted timeout or cool-down: one hour. */
  public static final Duration MAX_DURATION = Duration.ofHours(1);

  /** The address rule, as used in error messages. */
  public static final String ADDRESS_RULE =
      "scheme://host[:port] with scheme http, https or one a transport serves (grpc, grpcs with"
      + " mirror-grpc), and no path, query or trailing slash; or file:///<directory> (mirror-capture)";

  private static final Pattern ADDRESS =
      Pattern.compile("^([a-z][a-z\\d+.-]*)://([\\da-zA-Z.-]+|\\[[\\da-fA-F:]+\\])"
          + "(?::(\\d{1,5}))?$");

  private static final Pattern FILE = Pattern.compile("^file://(/[^?#\\s]*)$");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

  /**
   * Validates every component.
   *
   * @throws IllegalArgumentException naming the component, its value and what is allowed
   */
  public MirrorTarget {
    checkName(name);
    checkAddress(address);
    checkDuration("connect-timeout", connectTimeout);
    checkDuration("read-timeout", readTimeout);
    checkMaxInFlight(maxInFlight);
    checkMaxInFlightBytes(maxInFlightBytes);
    checkRateLimit(rateLimit);
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(hostHeader, "hostHeader");
    Objects.requireNonNull(httpVersion, "httpVersion");
    checkFailureThreshold(failureThreshold);
    checkDuration("circuit.cool-down", coolDown);
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(deadLetter, "deadLetter");
    if (name.equals(deadLetter.target())) {
      throw InvalidValue.of("dead-letter", name, "another target than " + name);
    }
  }

  /**
   * A target without a dead letter ({@link DeadLetter#none()}): the components this record had
   * before {@code deadLetter}.
   *
   * @throws IllegalArgumentException naming the component, its value and what is allowed
   */
  public MirrorTarget(String name, String address, Duration connectTimeout, Duration readTimeout,
      int maxInFlight, int maxInFlightBytes, double rateLimit, Sampler sampler,
      HostHeader hostHeader, HttpVersion httpVersion, int failureThreshold, Duration coolDown,
      SSLContext sslContext, TargetHeaders headers, RetryPolicy retry) {
    this(name, address, connectTimeout, readTimeout, maxInFlight, maxInFlightBytes, rateLimit,
        sampler, hostHeader, httpVersion, failureThreshold, coolDown, sslContext, headers, retry,
        DeadLetter.none());
  }

  /**
   * A target without retries ({@link RetryPolicy#off()}): the components this record had before
   * {@code retry}.
   *
   * @throws IllegalArgumentException naming the component, its value and what is allowed
   */
  public MirrorTarget(String name, String address, Duration connectTimeout, Duration readTimeout,
      int maxInFlight, int maxInFlightBytes, double rateLimit, Sampler sampler,
      HostHeader hostHeader, HttpVersion httpVersion, int failureThreshold, Duration coolDown,
      SSLContext sslContext, TargetHeaders headers) {
    this(name, address, connectTimeout, readTimeout, maxInFlight, maxInFlightBytes, rateLimit,
        sampler, hostHeader, httpVersion, failureThreshold, coolDown, sslContext, headers,
        RetryPolicy.off());
  }

  /**
   * A target without header changes of its own ({@link TargetHeaders#none()}): the components
   * this record had before {@code headers}.
   *
   * @throws IllegalArgumentException naming the component, its value and what is allowed
   */
  public MirrorTarget(String name, String address, Duration connectTimeout, Duration readTimeout,
      int maxInFlight, int maxInFlightBytes, double rateLimit, Sampler sampler,
      HostHeader hostHeader, HttpVersion httpVersion, int failureThreshold, Duration coolDown,
      SSLContext sslContext) {
    this(name, address, connectTimeout, readTimeout, maxInFlight, maxInFlightBytes, rateLimit,
        sampler, hostHeader, httpVersion, failureThreshold, coolDown, sslContext,
        TargetHeaders.none(), RetryPolicy.off());
  }

  /**
   * Returns a builder for a target with this name and address, and every other setting at its
   * default.
   *
   * @throws IllegalArgumentException if the name or address is invalid
   */
  public static Builder builder(String name, String address) {
    return new Builder(checkName(name), checkAddress(address));
  }

  /** Returns a builder holding this target's settings, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder(name, address);
    b.connectTimeout = connectTimeout;
    b.readTimeout = readTimeout;
    b.maxInFlight = maxInFlight;
    b.maxInFlightBytes = maxInFlightBytes;
    b.rateLimit = rateLimit;
    b.sampler = sampler;
    b.hostHeader = hostHeader;
    b.httpVersion = httpVersion;
    b.failureThreshold = failureThreshold;
    b.coolDown = coolDown;
    b.sslContext = sslContext;
    b.headers = headers;
    b.retry = retry;
    b.deadLetter = deadLetter;
    return b;
  }

  /** Returns the scheme: {@code http}, {@code https}, {@code file}, or one a transport serves. */
  public String scheme() {
    return isFile() ? "file" : parse(address).group(1);
  }

  /** Returns the host part: a name, an IPv4 address or a bracketed IPv6 address; empty for file. */
  public String host() {
    return isFile() ? "" : parse(address).group(2);
  }

  /** Returns the directory of a {@code file:} target, or null for any other. */
  public String directory() {
    return isFile() ? address.substring("file://".length()) : null;
  }

  private boolean isFile() {
    return address.startsWith("file:");
  }

  /**
   * Returns the port, or the scheme's default if none was given: 443 for {@code https} and {@code
   * grpcs}, else 80.
   */
  public int port() {
    if (isFile()) {
      return 0;
    }
    String port = parse(address).group(3);
    if (port != null) {
      return Integer.parseInt(port);
    }
    String scheme = scheme();
    return "https".equals(scheme) || "grpcs".equals(scheme) ? 443 : 80;
  }

  /** Returns true if copies to this target are HTTP ({@code http} or {@code https}). */
  public boolean isHttp() {
    return address.startsWith("http://") || address.startsWith("https://");
  }

  /** Returns the {@code host[:port]} as a client addressing this target would send it. */
  public String authority() {
    return address.substring(address.indexOf("://") + 3);
  }

  @Override
  public String toString() {
    return "MirrorTarget[" + name + " " + address + "]";
  }

  private static Matcher parse(String address) {
    Matcher m = ADDRESS.matcher(address);
    if (!m.matches()) {
      throw InvalidValue.of("host", address, ADDRESS_RULE);
    }
    return m;
  }

  private static String checkAddress(String address) {
    Objects.requireNonNull(address, "address");
    if (address.startsWith("file:")) {
      if (!FILE.matcher(address).matches() || address.contains("/../") || address.endsWith("/..")
          || address.indexOf("//", "file://".length()) >= 0) {
        throw InvalidValue.of("host", address, ADDRESS_RULE);
      }
      return address;
    }
    Matcher m = parse(address);
    String port = m.group(3);
    if (port != null) {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw InvalidValue.of("host", address, ADDRESS_RULE + " (port in [1, 65535])");
      }
    }
    return address;
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw InvalidValue.of("target name", "'" + name + "'", "letters, digits, '-' or '_'");
    }
    return name;
  }

  private static Duration checkDuration(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative() || d.isZero() || d.compareTo(MAX_DURATION) > 0) {
      throw InvalidValue.of(field, d.toMillis() + "ms", "a positive duration of at most 1h");
    }
    return d;
  }

  private static int checkMaxInFlight(int maxInFlight) {
    if (maxInFlight < 1 || maxInFlight > MAX_MAX_IN_FLIGHT) {
      throw InvalidValue.of("max-in-flight", maxInFlight, "in [1, " + MAX_MAX_IN_FLIGHT + "]");
    }
    return maxInFlight;
  }

  private static int checkMaxInFlightBytes(int bytes) {
    if (bytes < 1 || bytes > MAX_MAX_IN_FLIGHT_BYTES) {
      throw InvalidValue.of("max-in-flight-bytes", bytes, "in [1, " + MAX_MAX_IN_FLIGHT_BYTES + "]");
    }
    return bytes;
  }

  private static double checkRateLimit(double perSecond) {
    if (!(perSecond >= 0 && perSecond <= MAX_RATE_LIMIT)) {
      throw InvalidValue.of("rate-limit", perSecond, "in [0, 1000000], 0 for no limit");
    }
    return perSecond;
  }

  private static int checkFailureThreshold(int failures) {
    if (failures < 1 || failures > MAX_FAILURE_THRESHOLD) {
      throw InvalidValue.of("circuit.failure-threshold", failures, "in [1, 1000000]");
    }
    return failures;
  }

  /** Builds a {@link MirrorTarget}; each setter checks its argument at once. */
  public static final class Builder {
    private final String name;
    private final String address;
    private Duration connectTimeout = Duration.ofMillis(DEFAULT_CONNECT_TIMEOUT_MILLIS);
    private Duration readTimeout = Duration.ofMillis(DEFAULT_READ_TIMEOUT_MILLIS);
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES;
    private double rateLimit;
    private Sampler sampler = Sampler.always();
    private HostHeader hostHeader = HostHeader.original();
    private HttpVersion httpVersion = HttpVersion.HTTP_1_1;
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private Duration coolDown = Duration.ofMillis(DEFAULT_COOL_DOWN_MILLIS);
    private SSLContext sslContext;
    private TargetHeaders headers = TargetHeaders.none();
    private RetryPolicy retry = RetryPolicy.off();
    private DeadLetter deadLetter = DeadLetter.none();

    private Builder(String name, String address) {
      this.name = name;
      this.address = address;
    }

    /** Connect timeout (default {@value #DEFAULT_CONNECT_TIMEOUT_MILLIS} ms). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = checkDuration("connect-timeout", timeout);
      return this;
    }

    /** Read timeout: sending to complete response (default {@value #DEFAULT_READ_TIMEOUT_MILLIS} ms). */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = checkDuration("read-timeout", timeout);
      return this;
    }

    /** Cap on copies held for this target (default {@value #DEFAULT_MAX_IN_FLIGHT}). */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = checkMaxInFlight(maxInFlight);
      return this;
    }

    /**
     * Cap on bytes held by this target's copies at once: bodies, and headers about three times
     * (default {@value #DEFAULT_MAX_IN_FLIGHT_BYTES}).
     */
    public Builder maxInFlightBytes(int bytes) {
      this.maxInFlightBytes = checkMaxInFlightBytes(bytes);
      return this;
    }

    /** Copies per second at most, in [0, {@value #MAX_RATE_LIMIT}]; 0 for no limit (the default). */
    public Builder rateLimit(double perSecond) {
      this.rateLimit = checkRateLimit(perSecond);
      return this;
    }

    /** Narrows the policy's decision for this target (default {@link Sampler#always()}). */
    public Builder sampler(Sampler sampler) {
      this.sampler = Objects.requireNonNull(sampler, "sampler");
      return this;
    }

    /** Which Host copies carry (default {@link HostHeader#original()}). */
    public Builder hostHeader(HostHeader hostHeader) {
      this.hostHeader = Objects.requireNonNull(hostHeader, "hostHeader");
      return this;
    }

    /** HTTP version (default {@link HttpVersion#HTTP_1_1}). */
    public Builder httpVersion(HttpVersion httpVersion) {
      this.httpVersion = Objects.requireNonNull(httpVersion, "httpVersion");
      return this;
    }

    /** Consecutive failures that open the circuit (default {@value #DEFAULT_FAILURE_THRESHOLD}). */
    public Builder failureThreshold(int failures) {
      this.failureThreshold = checkFailureThreshold(failures);
      return this;
    }

    /** How long an open circuit waits before a probe (default {@value #DEFAULT_COOL_DOWN_MILLIS} ms). */
    public Builder coolDown(Duration coolDown) {
      this.coolDown = checkDuration("circuit.cool-down", coolDown);
      return this;
    }

    /** TLS context for https targets, for example for mTLS (default: the JVM's). */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /**
     * Header changes for this target's copies only, after the policy's (default {@link
     * TargetHeaders#none()}).
     */
    public Builder headers(TargetHeaders headers) {
      this.headers = Objects.requireNonNull(headers, "headers");
      return this;
    }

    /** How copies that failed before reaching the shadow are sent again (default: never). */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /**
     * Where this target's copies go when they end failed or dropped for the chosen reasons
     * (default: nowhere); the dead-letter target must be another target of the same policy.
     */
    public Builder deadLetter(DeadLetter deadLetter) {
      this.deadLetter = Objects.requireNonNull(deadLetter, "deadLetter");
      return this;
    }

    /** Returns the target; the builder stays usable. */
    public MirrorTarget build() {
      return new MirrorTarget(name, address, connectTimeout, readTimeout, maxInFlight,
          maxInFlightBytes, rateLimit,
          sampler, hostHeader, httpVersion, failureThreshold, coolDown, sslContext, headers,
          retry, deadLetter);
    }
  }
}
