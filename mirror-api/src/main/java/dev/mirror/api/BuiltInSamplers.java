package dev.mirror.api;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** The samplers behind {@link Sampler}'s factories. */
final class BuiltInSamplers {

  private BuiltInSamplers() {}

  static final Sampler ALWAYS = new Sampler() {
    @Override
    public boolean sample(RequestView request) {
      return true;
    }

    @Override
    public String toString() {
      return "Sampler.always()";
    }
  };

  static final Sampler NEVER = new Sampler() {
    @Override
    public boolean sample(RequestView request) {
      return false;
    }

    @Override
    public String toString() {
      return "Sampler.never()";
    }
  };

  static double checkRatio(String field, double ratio) {
    if (!(ratio >= Sampler.MIN_RATIO && ratio <= Sampler.MAX_RATIO)) {
      throw new IllegalArgumentException(
          field + ": was " + ratio + ", must be in [0.00001, 1]");
    }
    return ratio;
  }

  static String checkName(String field, String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(field + ": was '" + name + "', must be a non-empty name");
    }
    return name;
  }

  /** A value: two samplers with the same ratio are equal, so configurations compare. */
  record Random(double ratio) implements Sampler {

    @Override
    public boolean sample(RequestView request) {
      return ThreadLocalRandom.current().nextDouble() < ratio;
    }

    @Override
    public String toString() {
      return "Sampler.ratio(" + ratio + ")";
    }
  }

  /** A value, as {@link Random}. */
  record Sticky(String name, boolean cookie, double ratio) implements Sampler {

    Sticky {
      checkRatio("ratio", ratio);
    }

    @Override
    public boolean sample(RequestView request) {
      String key = cookie ? request.cookie(name) : request.header(name);
      if (key == null) {
        return ThreadLocalRandom.current().nextDouble() < ratio;
      }
      return unitHash(key) < ratio;
    }

    /**
     * Maps a key to [0, 1), stable across JVMs and releases: FNV-1a over the chars, then a 64-bit
     * finalizer (from MurmurHash3) so that similar keys spread evenly.
     */
    static double unitHash(String key) {
      long h = 0xcbf29ce484222325L;
      for (int i = 0; i < key.length(); i++) {
        h ^= key.charAt(i);
        h *= 0x100000001b3L;
      }
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      return (h >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString() {
      return "Sampler.sticky" + (cookie ? "Cookie(" : "Header(") + name + ", " + ratio + ")";
    }
  }

  /** A lock-free rate limit (generic cell rate algorithm: one theoretical arrival time). */
  static final class RateLimit implements Sampler {
    private final double perSecond;
    private final long intervalNanos;
    private final long burstToleranceNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong theoreticalArrival;

    RateLimit(double perSecond, LongSupplier nanoTime) {
      if (!(perSecond > 0 && perSecond < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "perSecond: was " + perSecond + ", must be a finite number greater than 0");
      }
      this.perSecond = perSecond;
      this.intervalNanos = Math.max(1L, (long) (1_000_000_000L / perSecond));
      long burst = Math.max(1L, (long) Math.ceil(perSecond));
      this.burstToleranceNanos = intervalNanos * (burst - 1);
      this.nanoTime = nanoTime;
      this.theoreticalArrival = new AtomicLong(nanoTime.getAsLong());
    }

    @Override
    public boolean sample(RequestView request) {
      long now = nanoTime.getAsLong();
      while (true) {
        long tat = theoreticalArrival.get();
        long start = tat - now < 0 ? now : tat;
        if (start - now > burstToleranceNanos) {
          return false;
        }
        if (theoreticalArrival.compareAndSet(tat, start + intervalNanos)) {
          return true;
        }
      }
    }

    @Override
    public String toString() {
      return "Sampler.rateLimit(" + perSecond + ")";
    }
  }
}
