package dev.mirror.admin;

import java.util.Map;

/**
 * The admin endpoint's answer, for the container to write.
 *
 * @param status the HTTP status
 * @param headers headers to set besides {@code Content-Type} (for example {@code
 *     WWW-Authenticate})
 * @param body the JSON body, UTF-8
 */
public record AdminReply(int status, Map<String, String> headers, byte[] body) {

  /** The content type of every body: {@value}. */
  public static final String CONTENT_TYPE = "application/json";

  /** Copies the headers. */
  public AdminReply {
    headers = Map.copyOf(headers);
  }
}
