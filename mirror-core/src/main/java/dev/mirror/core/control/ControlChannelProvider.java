package dev.mirror.core.control;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link ControlChannel}s for {@code mirror.control=<scheme>://...} addresses; found through
 * {@link java.util.ServiceLoader} by scheme (listed in {@code
 * META-INF/services/dev.mirror.core.control.ControlChannelProvider}), as transports are. Its
 * settings arrive as the {@code mirror.control.<name>.*} keys, without that prefix (the store's
 * credentials, for example).
 */
public interface ControlChannelProvider {

  /** The provider's name, which its settings' keys carry: {@code kafka}. */
  String name();

  /** The address schemes it serves: {@code kafka}. */
  Set<String> schemes();

  /**
   * Checks the address and settings and makes a channel; it connects when started.
   *
   * @param timeout how long a write may take, and how long a call may wait for the store
   * @throws IllegalArgumentException naming the key ({@code mirror.control} or {@code
   *     mirror.control.<name>.<setting>}) for an address or setting it cannot use; secrets are
   *     never shown
   */
  ControlChannel open(URI address, Map<String, String> settings, Duration timeout);
}
