package dev.mirror.api;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Decides, once per request, whether it is mirrored.
 *
 * <p>A policy's sampler decides for all of its targets at once; a target can narrow that decision
 * with a sampler of its own. Implementations must be thread-safe and fast, and should not allocate:
 * they run on the request thread for every request. An exception thrown by a sampler is caught,
 * counted and taken as "not sampled"; it never reaches the request.
 *
 * <p>Built-ins come from the static factories; combine them with {@link #and(Sampler)}.
 */
@FunctionalInterface
public interface Sampler {

  /** The smallest ratio accepted, {@value}, as APISIX's {@code sample_ratio}. */
  double MIN_RATIO = 0.00001;

  /** The largest ratio accepted, {@value}. */
  double MAX_RATIO = 1.0;

  /** Returns true if this request is to be mirrored. */
  boolean sample(RequestView request);

  /**
   * Returns a sampler that says yes only if this one and then {@code next} both do; {@code next} is
   * not asked when this one says no (so put a rate limit last: it then spends its budget only on
   * requests the others let through).
   */
  default Sampler and(Sampler next) {
    Objects.requireNonNull(next, "next");
    Sampler first = this;
    return request -> first.sample(request) && next.sample(request);
  }

  /** Returns a sampler that mirrors every request. */
  static Sampler always() {
    return BuiltInSamplers.ALWAYS;
  }

  /** Returns a sampler that mirrors no request. */
  static Sampler never() {
    return BuiltInSamplers.NEVER;
  }

  /**
   * Returns a sampler that mirrors each request independently with probability {@code ratio}.
   *
   * @param ratio in [{@value #MIN_RATIO}, {@value #MAX_RATIO}]
   * @throws IllegalArgumentException if the ratio is out of range
   */
  static Sampler ratio(double ratio) {
    BuiltInSamplers.checkRatio("ratio", ratio);
    return ratio == 1.0 ? always() : new BuiltInSamplers.Random(ratio);
  }

  /**
   * Returns a sampler that decides by a hash of a header's value, so one user (one value) is always
   * in or always out. A request without the header is decided at random with the same ratio.
   *
   * @param header the header holding the key, for example {@code X-User-Id}
   * @param ratio in [{@value #MIN_RATIO}, {@value #MAX_RATIO}]
   * @throws IllegalArgumentException if the ratio is out of range or the name is empty
   */
  static Sampler stickyHeader(String header, double ratio) {
    return new BuiltInSamplers.Sticky(BuiltInSamplers.checkName("header", header), false, ratio);
  }

  /**
   * Returns a sampler that decides by a hash of a cookie's value, so one session is always in or
   * always out. A request without the cookie is decided at random with the same ratio.
   *
   * @param cookie the cookie holding the key, for example {@code SESSION}
   * @param ratio in [{@value #MIN_RATIO}, {@value #MAX_RATIO}]
   * @throws IllegalArgumentException if the ratio is out of range or the name is empty
   */
  static Sampler stickyCookie(String cookie, double ratio) {
    return new BuiltInSamplers.Sticky(BuiltInSamplers.checkName("cookie", cookie), true, ratio);
  }

  /**
   * Returns a sampler that lets at most {@code perSecond} requests through per second, smoothly
   * (one every {@code 1/perSecond} seconds, with bursts of up to {@code max(1, perSecond)}).
   *
   * @param perSecond greater than 0
   * @throws IllegalArgumentException if {@code perSecond} is not positive and finite
   */
  static Sampler rateLimit(double perSecond) {
    return rateLimit(perSecond, System::nanoTime);
  }

  /**
   * As {@link #rateLimit(double)}, on the given clock.
   *
   * @param perSecond greater than 0
   * @param nanoTime a monotonic clock in nanoseconds, such as {@code System::nanoTime} (a test's
   *     fake clock)
   * @throws IllegalArgumentException if {@code perSecond} is not positive and finite
   */
  static Sampler rateLimit(double perSecond, LongSupplier nanoTime) {
    return new BuiltInSamplers.RateLimit(perSecond, Objects.requireNonNull(nanoTime, "nanoTime"));
  }
}
