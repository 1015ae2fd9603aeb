package dev.mirror.api;

/** Why a copy that was sent got no response. Each is counted per target. */
public enum FailureReason {
  /** The connection could not be made: refused, unreachable, unresolvable host, connect timeout. */
  CONNECT,
  /** No complete response within the read timeout. */
  TIMEOUT,
  /** The TLS handshake failed. */
  TLS,
  /** The connection broke or the response was not valid HTTP. */
  IO,
  /** The copy could not be sent as it is (for example a header value the client would not send). */
  INVALID_REQUEST,
  /** Anything else, including a transport that threw. */
  OTHER
}
