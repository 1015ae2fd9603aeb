package dev.mirror.examples;

import dev.mirror.api.Headers;
import dev.mirror.api.MirroredRequest;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.MirrorStats;
import java.util.Map;

/**
 * Example: several targets with their own ratios, sticky sampling by user, and credentials kept
 * away from the shadows, all from flat keys (the same keys work as web.xml init-params).
 *
 * <p>Half the users (by a hash of {@code X-User-Id}) are mirrored to staging; a fifth of those
 * users also go to the performance rig. {@code Authorization} is masked and {@code Cookie}
 * removed on every copy.
 */
public final class MultiTargetExample {

  private MultiTargetExample() {}

  /** The configuration, as it would stand in a .properties file or web.xml. */
  public static Map<String, String> config(String staging, String perf) {
    return Map.of(
        "mirror.targets", "staging,perf",
        "mirror.target.staging.host", staging,
        "mirror.target.perf.host", perf,
        "mirror.target.perf.sample-ratio", "0.2",
        "mirror.sample-ratio", "0.5",
        "mirror.sticky-key", "header:X-User-Id",
        "mirror.mask-headers", "Authorization",
        "mirror.remove-headers", "Cookie");
  }

  /** Sends {@code requestsPerUser} requests for each of {@code users} users; returns the stats. */
  public static MirrorStats run(String staging, String perf, int users, int requestsPerUser) {
    MirrorEngine engine = MirrorConfig.parse(config(staging, perf)).newEngine();
    try (engine) {
      for (int r = 0; r < requestsPerUser; r++) {
        for (int u = 0; u < users; u++) {
          engine.submit(MirroredRequest.builder()
              .rawTarget("/account/" + u + "?view=summary")
              .headers(Headers.of("X-User-Id", "user-" + u, "Authorization", "Bearer secret-" + u,
                  "Cookie", "session=s" + u))
              .build());
        }
      }
    }
    return engine.stats();
  }

  public static void main(String[] args) throws Exception {
    try (RecordingShadow staging = RecordingShadow.healthy("staging");
        RecordingShadow perf = RecordingShadow.healthy("perf")) {
      MirrorStats stats = run(staging.address(), perf.address(), 200, 3);
      System.out.printf("200 users x 3 requests: staging got %d copies, perf %d%n",
          stats.target("staging").sent(), stats.target("perf").sent());
      RecordingShadow.Received first = staging.firstReceived().get(0);
      System.out.println("staging saw Authorization=" + first.headers().get("Authorization")
          + ", Cookie=" + first.headers().get("Cookie"));
    }
  }
}
