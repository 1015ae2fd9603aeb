package dev.mirror.core.control;

/**
 * A change the control store did not take (it is unreachable), or took but this replica did not
 * apply in time. Nothing was applied anywhere in the first case ({@link #writtenVersion()} is -1);
 * in the second, every replica applies the change as it reads it. The admin endpoint answers the
 * first with 503, the second with 202.
 */
public final class ControlUnavailableException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final long writtenVersion;

  /** A change the store did not take. */
  public ControlUnavailableException(String message, Throwable cause) {
    this(message, -1, cause);
  }

  /** A change written as {@code writtenVersion} (or -1 when it was not written). */
  public ControlUnavailableException(String message, long writtenVersion, Throwable cause) {
    super(message, cause);
    this.writtenVersion = writtenVersion;
  }

  /** The version the store gave the change, or -1 if it did not take it. */
  public long writtenVersion() {
    return writtenVersion;
  }
}
