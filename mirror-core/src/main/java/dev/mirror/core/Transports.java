package dev.mirror.core;

import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirrorTransportProvider;
import dev.mirror.core.internal.TransportProviders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transports an engine sends through: its HTTP transport for {@code http} and {@code https}
 * targets, and one transport per provider for each other scheme ({@link
 * MirrorTransportProvider#schemes()}), made when a target first needs it and closed with the
 * engine.
 */
final class Transports {

  private final MirrorTransport http;
  private final boolean ownsHttp;
  /** By scheme; a provider serving two schemes appears under both, made once. */
  private final Map<String, MirrorTransport> byScheme = new ConcurrentHashMap<>();
  private final Map<MirrorTransportProvider, MirrorTransport> made = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> settings;
  private volatile boolean closed;

  Transports(MirrorTransport http, boolean ownsHttp, Map<String, Map<String, String>> settings) {
    this.http = http;
    this.ownsHttp = ownsHttp;
    this.settings = settings;
  }

  /** The settings transports are made with. */
  Map<String, Map<String, String>> settings() {
    return settings;
  }

  /** The HTTP transport, whose executor copies are prepared on. */
  MirrorTransport http() {
    return http;
  }

  boolean ownsHttp() {
    return ownsHttp;
  }

  /**
   * Returns the transport for this target, making it on first use.
   *
   * @throws IllegalArgumentException naming the target and scheme, if no transport serves it
   * @throws IllegalStateException if the engine is closed
   */
  MirrorTransport forTarget(MirrorTarget target) {
    if (target.isHttp()) {
      return http;
    }
    String scheme = target.scheme();
    MirrorTransport found = byScheme.get(scheme);
    if (found != null) {
      return found;
    }
    synchronized (made) {
      if (closed) {
        throw new IllegalStateException("engine: is closed");
      }
      MirrorTransportProvider provider = TransportProviders.forScheme(scheme);
      if (provider == null) {
        throw new IllegalArgumentException("target " + target.name() + ": " + scheme
            + ":// addresses are served by no transport on the class path, must be http or https"
            + (scheme.startsWith("grpc") ? " (grpc and grpcs come with the module mirror-grpc)"
                : scheme.equals("file") ? " (file comes with the module mirror-capture)" : ""));
      }
      MirrorTransport transport = made.computeIfAbsent(provider,
          p -> p.create(settings.getOrDefault(p.name(), Map.of())));
      byScheme.put(scheme, transport);
      return transport;
    }
  }

  /** Closes the transports made here, and the HTTP one if the engine made it. */
  void close() {
    List<MirrorTransport> toClose;
    synchronized (made) {
      closed = true;
      toClose = new ArrayList<>(made.values());
    }
    for (MirrorTransport transport : toClose) {
      transport.close();
    }
    if (ownsHttp) {
      http.close();
    }
  }
}
