package dev.mirror.cli;

/** The exit statuses of every {@code mirror} command, as its usage help lists them. */
public final class ExitStatus {

  /** Done, nothing crossed a threshold: {@value}. */
  public static final int OK = 0;

  /**
   * {@code gate}: a threshold was crossed; {@code replay}: a copy failed or was dropped: {@value}.
   */
  public static final int THRESHOLD_CROSSED = 1;

  /** A bad option or configuration key, named in the message: {@value}. */
  public static final int USAGE = 2;

  /**
   * A runtime failure: the capture cannot be read, a target or broker answered nothing: {@value}.
   */
  public static final int RUNTIME_FAILURE = 3;

  private ExitStatus() {}
}
