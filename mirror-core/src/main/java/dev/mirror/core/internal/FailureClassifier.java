package dev.mirror.core.internal;

import dev.mirror.api.FailureReason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Maps a transport's exception to the reason it is counted under. */
public final class FailureClassifier {

  private FailureClassifier() {}

  /** Looks through the cause chain, most specific type first. */
  public static FailureReason classify(Throwable failure) {
    FailureReason fallback = FailureReason.OTHER;
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t instanceof HttpConnectTimeoutException
          || t instanceof ConnectException
          || t instanceof UnresolvedAddressException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException) {
        return FailureReason.CONNECT;
      }
      if (t instanceof SocketTimeoutException) {
        String message = t.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains("connect")
            ? FailureReason.CONNECT : FailureReason.TIMEOUT;
      }
      if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
        return FailureReason.TIMEOUT;
      }
      if (t instanceof SSLException) {
        return FailureReason.TLS;
      }
      if (t instanceof IllegalArgumentException) {
        return FailureReason.INVALID_REQUEST;
      }
      if (t instanceof IOException && fallback == FailureReason.OTHER) {
        fallback = FailureReason.IO;
      }
    }
    return fallback;
  }
}
