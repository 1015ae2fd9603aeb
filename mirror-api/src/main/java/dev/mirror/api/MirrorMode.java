package dev.mirror.api;

/** Whether the caller waits for the copies (the gateway's {@code synchronous}). */
public enum MirrorMode {
  /** The caller hands the copy over and goes on at once; the default. */
  ASYNCHRONOUS,
  /**
   * The caller waits until each accepted copy is answered or fails, bounded by the targets'
   * timeouts. Use it for shadows that must see requests in order, never to protect the primary.
   */
  SYNCHRONOUS
}
