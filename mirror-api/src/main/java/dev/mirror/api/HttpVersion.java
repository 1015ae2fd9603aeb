package dev.mirror.api;

/** The HTTP version a copy is sent with. */
public enum HttpVersion {
  /** HTTP/1.1, the default: works with every shadow, no upgrade dance on plain http. */
  HTTP_1_1,
  /** HTTP/2: ALPN over https, an h2c upgrade over http, falling back to HTTP/1.1. */
  HTTP_2,
  /**
   * HTTP/2 over cleartext with prior knowledge (h2c): no upgrade, the shadow must speak HTTP/2
   * at once, as gRPC-style backends and Envoy listeners do; many copies share one connection as
   * streams. Plain {@code http://} targets only; sent by the Jetty transport.
   */
  H2C
}
