package dev.mirror.core.control;

import java.util.List;
import java.util.Objects;

/**
 * What a replica runs and what the fleet reported, as {@code GET /routes}, the Actuator endpoint
 * and the meters show it.
 *
 * @param store the control store's address ({@code mirror.control}), or null without one
 * @param replica this replica's name ({@code mirror.control.replica}, or the host name)
 * @param version the configuration version in force: the store's version of the record applied
 *     (a Kafka offset); -1 for the start-up configuration; without a store, the number of changes
 *     applied since start ({@code mirror.config-file} reloads, {@code reconfigure})
 * @param caughtUp whether this replica has read the store as far as it reached at start (always
 *     true without a store); mirroring is held until it has
 * @param refused changes this replica could not apply (a store record or a configuration file
 *     that did not validate here), kept at the last good configuration
 * @param lastError why the last refused change was refused (secrets masked), or null
 * @param replicas what each replica of the fleet last reported through the store, by name
 */
public record ControlState(String store, String replica, long version, boolean caughtUp,
    long refused, String lastError, List<ReplicaReport> replicas) {

  /** Copies the list. */
  public ControlState {
    replicas = List.copyOf(replicas);
  }

  /**
   * One replica's report, written to the store when a change fails there and when it applies one
   * again afterwards.
   *
   * @param replica its name
   * @param version the version it runs
   * @param failedVersion the last version it could not apply, or -1
   * @param error why (secrets masked), or null when its last change applied
   */
  public record ReplicaReport(String replica, long version, long failedVersion, String error) {

    /** Checks the name. */
    public ReplicaReport {
      Objects.requireNonNull(replica, "replica");
    }
  }
}
