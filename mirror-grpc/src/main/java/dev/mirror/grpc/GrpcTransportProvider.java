package dev.mirror.grpc;

import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirrorTransportProvider;
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

  @Override
  public MirrorTransport create() {
    return new GrpcTransport();
  }
}
