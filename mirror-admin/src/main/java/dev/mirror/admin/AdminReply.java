package dev.mirror.admin;

import java.util.Map;
import java.util.Objects;

/**
 * The admin endpoint's answer, for the container to write.
 *
 * @param status the HTTP status
 * @param headers headers to set besides {@code Content-Type} (for example {@code
 *     WWW-Authenticate})
 * @param body the body, UTF-8
 * @param contentType the body's type: {@value #CONTENT_TYPE}, or {@value #HTML} for a page
 */
public record AdminReply(int status, Map<String, String> headers, byte[] body,
    String contentType) {

  /** The content type of JSON bodies (all but pages): {@value}. */
  public static final String CONTENT_TYPE = "application/json";

  /** The content type of a page: {@value}. */
  public static final String HTML = "text/html; charset=utf-8";

  /** Copies the headers. */
  public AdminReply {
    headers = Map.copyOf(headers);
    Objects.requireNonNull(contentType, "contentType");
  }

  /** A JSON answer. */
  public AdminReply(int status, Map<String, String> headers, byte[] body) {
    this(status, headers, body, CONTENT_TYPE);
  }
}
