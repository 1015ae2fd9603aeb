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
 * @param query the query string without its {@code ?} ({@code pretty}), or null: {@code pretty}
 *     (or {@code pretty=true}) asks for indented JSON
 */
public record AdminCall(String method, String path, String authorization, String contentType,
    byte[] body, String caller, String query) {

  /** Defaults a missing path to {@code /} and a missing body to empty. */
  public AdminCall {
    path = path == null || path.isEmpty() ? "/" : path;
    body = body == null ? new byte[0] : body;
  }

  /** A call without a query string. */
  public AdminCall(String method, String path, String authorization, String contentType,
      byte[] body, String caller) {
    this(method, path, authorization, contentType, body, caller, null);
  }

  /** Whether the query asks for indented JSON: {@code pretty} or {@code pretty=true}. */
  boolean pretty() {
    if (query == null) {
      return false;
    }
    for (String part : query.split("&")) {
      if (part.equals("pretty") || part.equals("pretty=true") || part.equals("pretty=")) {
        return true;
      }
    }
    return false;
  }
}
