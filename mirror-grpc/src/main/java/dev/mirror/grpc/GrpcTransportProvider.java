package dev.mirror.grpc;

import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirrorTransportProvider;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code grpc://} and {@code grpcs://} targets, found through {@link
 * java.util.ServiceLoader}: with this module on the class path, such a target needs no other
 * setting. An engine makes one transport for all its gRPC targets.
 */
public final class GrpcTransportProvider implements MirrorTransportProvider {

  /** Made by {@link java.util.ServiceLoader}. */
  public GrpcTransportProvider() {}

  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("grpc", "grpcs");
  }

  /** Sends through core's HTTP/2 sender, the default. */
  @Override
  public MirrorTransport create() {
    return new GrpcTransport();
  }

  /**
   * Takes {@code sender} ({@code mirror.grpc.sender}): {@code mirror} (the default: copies as
   * HTTP/2 streams through core's sender) or {@code grpc-java} (a grpc-java channel per target,
   * kept for comparison; it costs the primary several times more CPU per copy).
   */
  @Override
  public MirrorTransport create(Map<String, String> settings) {
    String sender = "mirror";
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (!e.getKey().equals("sender")) {
        throw new IllegalArgumentException("mirror.grpc." + e.getKey() + ": unknown key, must be"
            + " mirror.grpc.sender (the gRPC transport's one setting)");
      }
      sender = e.getValue().trim().toLowerCase(Locale.ROOT);
      if (!sender.equals("mirror") && !sender.equals("grpc-java")) {
        throw new IllegalArgumentException("mirror.grpc.sender: was " + e.getValue()
            + ", must be mirror or grpc-java");
      }
    }
    return sender.equals("grpc-java") ? new GrpcJavaTransport() : new GrpcTransport();
  }
}
