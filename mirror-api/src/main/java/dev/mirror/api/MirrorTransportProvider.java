package dev.mirror.api;

import java.util.Set;

/**
 * Makes a {@link MirrorTransport} chosen by name with {@code mirror.transport=<name>}.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/dev.mirror.api.MirrorTransportProvider}. It needs a public no-argument
 * constructor. Built-in names: {@code nio} (the default), {@code jdk}; {@code jetty} with the module
 * {@code mirror-transport-jetty}.
 *
 * <p>A provider may also serve address schemes other than HTTP ({@link #schemes()}): targets with
 * such an address go through a transport it makes, whatever {@code mirror.transport} names.
 */
public interface MirrorTransportProvider {

  /** The name given to {@code mirror.transport}: lower case letters, digits and dashes. */
  String name();

  /**
   * The address schemes this provider serves besides {@code mirror.transport}, for example {@code
   * grpc} and {@code grpcs}: an engine with a target of such a scheme makes one transport from
   * this provider for all of them. Empty by default (an HTTP transport, chosen by name).
   */
  default Set<String> schemes() {
    return Set.of();
  }

  /** Returns a new transport; the engine that asked for it closes it. */
  MirrorTransport create();

  /**
   * Returns a new transport made with its settings: the {@code mirror.<name>.*} keys of the
   * configuration, without that prefix (for example {@code max-file-bytes} for {@code
   * mirror.file.max-file-bytes}). The default ignores them and calls {@link #create()}.
   *
   * @throws IllegalArgumentException naming the key, for a setting the transport refuses
   */
  default MirrorTransport create(java.util.Map<String, String> settings) {
    return create();
  }
}
