package dev.mirror.admin;

/**
 * One HTTP call to the admin endpoint, as the container received it.
 *
 * @param method the HTTP method
 * @param path the path below the endpoint's mount point, starting with {@code /}
 *     ({@code /routes/default/mirror})
 * @param authorization the {@code Authorization} header, or null
 * @param contentType the {@code Content-Type} header, or null
 * @param body at most {@link MirrorAdmin#MAX_BODY_BYTES} + 1 bytes of the body (more is refused
 *     with 413), empty if none
 * @param caller the caller's address, for the log
 */
public record AdminCall(String method, String path, String authorization, String contentType,
    byte[] body, String caller) {

  /** Defaults a missing path to {@code /} and a missing body to empty. */
  public AdminCall {
    path = path == null || path.isEmpty() ? "/" : path;
    body = body == null ? new byte[0] : body;
  }
}
