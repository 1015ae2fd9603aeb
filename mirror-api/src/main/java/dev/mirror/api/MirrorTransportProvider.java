package dev.mirror.api;

/**
 * Makes a {@link MirrorTransport} chosen by name with {@code mirror.transport=<name>}.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/dev.mirror.api.MirrorTransportProvider}. It needs a public no-argument
 * constructor. Built-in names: {@code nio} (the default), {@code jdk}; {@code jetty} with the module
 * {@code mirror-transport-jetty}.
 */
public interface MirrorTransportProvider {

  /** The name given to {@code mirror.transport}: lower case letters, digits and dashes. */
  String name();

  /** Returns a new transport; the engine that asked for it closes it. */
  MirrorTransport create();
}
