package dev.mirror.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SamplerTest {

  private static final RequestView ANY = request(null, null);

  static RequestView request(String userId, String cookie) {
    return new RequestView() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String rawPath() {
        return "/";
      }

      @Override
      public String header(String name) {
        if (name.equalsIgnoreCase("X-User-Id")) {
          return userId;
        }
        return name.equalsIgnoreCase("Cookie") ? cookie : null;
      }
    };
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 10, 0.000001, -0.5, Double.NaN, 1.0000001})
  void ratio_outOfApisixRange_isRejected(double ratio) {
    assertThatThrownBy(() -> Sampler.ratio(ratio))
        .hasMessage("ratio: was " + ratio + ", must be in [0.00001, 1]");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.00001, 1})
  void ratio_atApisixBounds_isAccepted(double ratio) {
    assertThat(Sampler.ratio(ratio)).isNotNull();
  }

  @Test
  void ratio_half_landsWithinFiveSigmaOver10000Decisions() {
    Sampler sampler = Sampler.ratio(0.5);
    int n = 10_000;
    int yes = 0;
    for (int i = 0; i < n; i++) {
      yes += sampler.sample(ANY) ? 1 : 0;
    }
    double sigma = Math.sqrt(n * 0.5 * 0.5); // 50
    assertThat((double) yes).isBetween(n * 0.5 - 5 * sigma, n * 0.5 + 5 * sigma);
  }

  @Test
  void ratio_one_isAlways() {
    assertThat(Sampler.ratio(1)).isSameAs(Sampler.always());
  }

  @Test
  void stickyHeader_givesOneUserTheSameDecisionEveryTime_andSplitsUsersByRatio() {
    Sampler sampler = Sampler.stickyHeader("X-User-Id", 0.3);
    int in = 0;
    for (int user = 0; user < 2_000; user++) {
      RequestView request = request("user-" + user, null);
      boolean first = sampler.sample(request);
      for (int again = 0; again < 20; again++) {
        assertThat(sampler.sample(request)).as("user-%d, try %d", user, again).isEqualTo(first);
      }
      in += first ? 1 : 0;
    }
    double sigma = Math.sqrt(2_000 * 0.3 * 0.7);
    assertThat((double) in).isBetween(600 - 5 * sigma, 600 + 5 * sigma);
  }

  @Test
  void stickyCookie_readsTheCookie() {
    Sampler sampler = Sampler.stickyCookie("SESSION", 0.5);
    int in = 0;
    for (int s = 0; s < 200; s++) {
      RequestView request = request(null, "theme=dark; SESSION=s" + s + "; x=1");
      boolean first = sampler.sample(request);
      assertThat(sampler.sample(request)).isEqualTo(first);
      in += first ? 1 : 0;
    }
    assertThat(in).isBetween(50, 150);
  }

  @Test
  void stickyHash_isStableAcrossReleases() {
    // Changing the hash would move every user in or out of the shadow at an upgrade.
    assertThat(BuiltInSamplers.Sticky.unitHash("user-42")).isEqualTo(0.638995336291391);
    assertThat(BuiltInSamplers.Sticky.unitHash("")).isEqualTo(0.93676944839044);
  }

  @Test
  void rateLimit_holdsTheRateOnAFakeClock_withinOneBurst() {
    AtomicLong now = new AtomicLong(0);
    Sampler sampler = new BuiltInSamplers.RateLimit(100, now::get);
    int passed = 0;
    // 10 simulated seconds, a request every 100 microseconds: 100,000 attempts at 10,000/s.
    for (int i = 0; i < 100_000; i++) {
      now.addAndGet(100_000);
      passed += sampler.sample(ANY) ? 1 : 0;
    }
    // 100/s for 10 s, plus at most one burst of 100.
    assertThat(passed).isBetween(1_000, 1_100);
  }

  @Test
  void rateLimit_onTheRealClock_neverExceedsRatePlusBurst() {
    Sampler sampler = Sampler.rateLimit(1_000);
    long start = System.nanoTime();
    int passed = 0;
    long elapsed;
    do {
      passed += sampler.sample(ANY) ? 1 : 0;
      elapsed = System.nanoTime() - start;
    } while (elapsed < 200_000_000L);
    double seconds = elapsed / 1e9;
    assertThat((double) passed).isLessThanOrEqualTo(1_000 * seconds + 1_000 + 1);
  }

  @Test
  void rateLimit_rejectsNonPositive() {
    assertThatThrownBy(() -> Sampler.rateLimit(0))
        .hasMessage("perSecond: was 0.0, must be a finite number greater than 0");
  }

  @Test
  void and_asksTheSecondOnlyWhenTheFirstSaysYes() {
    AtomicLong asked = new AtomicLong();
    Sampler counting = r -> {
      asked.incrementAndGet();
      return true;
    };
    assertThat(Sampler.never().and(counting).sample(ANY)).isFalse();
    assertThat(asked).hasValue(0);
    assertThat(Sampler.always().and(counting).sample(ANY)).isTrue();
    assertThat(asked).hasValue(1);
  }

  @Test
  void configurableSamplers_areValues_soConfigurationsCompare() {
    assertThat(Sampler.ratio(0.5)).isEqualTo(Sampler.ratio(0.5)).isNotEqualTo(Sampler.ratio(0.25));
    assertThat(Sampler.ratio(1)).isSameAs(Sampler.always());
    assertThat(Sampler.stickyHeader("X-User", 0.5)).isEqualTo(Sampler.stickyHeader("X-User", 0.5))
        .isNotEqualTo(Sampler.stickyCookie("X-User", 0.5));
  }
}
