/**
 * The mirroring engine. Exported: the engine and its configuration ({@code dev.mirror.core}), the
 * key table ({@code .config}), the control store's SPI ({@code .control}), the stats records
 * ({@code .stats}), the transports ({@code .transport}) and replay ({@code .replay}); the
 * entry-point room ({@code .entry}) only to the modules that are entry points. Everything under
 * {@code dev.mirror.core.internal} is hidden.
 */
module dev.mirror.core {
  requires transitive dev.mirror.api;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires java.net.http;
  // See dev.mirror.api's descriptor: the name derived from re2j-<version>.jar.
  requires re2j;
  // LatencyHistogram (exported) hands out its HdrHistogram; the name is the one derived from
  // HdrHistogram-<version>.jar, which declares none.
  requires transitive HdrHistogram;
  // Only to scrub JSON bodies: a policy that asks for it fails start-up if it is missing.
  requires static com.fasterxml.jackson.core;

  exports dev.mirror.core;
  exports dev.mirror.core.config;
  exports dev.mirror.core.control;
  exports dev.mirror.core.replay;
  exports dev.mirror.core.stats;
  exports dev.mirror.core.transport;
  exports dev.mirror.core.entry to dev.mirror.servlet, dev.mirror.jaxrs, dev.mirror.grpc;

  uses dev.mirror.api.MirrorTransportProvider;
  uses dev.mirror.core.control.ControlChannelProvider;
  provides dev.mirror.api.MirrorTransportProvider with
      dev.mirror.core.transport.NioHttpTransport.Provider,
      dev.mirror.core.transport.JdkHttpTransport.Provider;
}
