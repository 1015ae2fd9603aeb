package dev.mirror.core;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Rewrite;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.TargetHeaders;
import dev.mirror.core.internal.scrub.Redactor;
import dev.mirror.core.internal.scrub.Scrubber;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a received request into the copy one target gets: rewritten path, hop-by-hop headers
 * removed, Host chosen, forwarding and marker headers added, the policy's header rewrites applied,
 * then the target's own ({@link TargetHeaders}).
 * Runs on a dispatch thread, never on the request thread.
 */
final class CopyComposer {

  /** RFC 9110 section 7.6.1 hop-by-hop fields, plus those every copy gets anew. */
  private static final Set<String> NOT_COPIED = Set.of(
      "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
      // recomputed or chosen for the copy:
      "content-length", "expect", "host",
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host");

  private CopyComposer() {}

  /**
   * Composes the copy.
   *
   * @throws IllegalArgumentException if the path or query cannot form a URI
   */
  static ShadowRequest compose(
      MirrorPolicy policy, MirrorTarget target, MirroredRequest request, String requestId) {
    return compose(policy, null, target, request, requestId, new int[1]);
  }

  /**
   * Composes the copy, scrubbed by {@code scrubber} (null: nothing to scrub), counting what was
   * redacted in {@code count[0]}.
   *
   * @throws Scrubber.Failed if the body cannot be scrubbed as the policy asks
   * @throws IllegalArgumentException if the path or query cannot form a URI
   */
  static ShadowRequest compose(MirrorPolicy policy, Scrubber scrubber, MirrorTarget target,
      MirroredRequest request, String requestId, int[] count) {
    Headers received = request.headers();
    List<String> connectionTokens = connectionTokens(received);
    Headers.Builder headers = Headers.builder();
    String host = hostHeader(target, request);
    if (host != null) {
      headers.add("Host", host);
    }
    for (int i = 0; i < received.size(); i++) {
      String name = received.name(i);
      String lower = name.toLowerCase(Locale.ROOT);
      if (NOT_COPIED.contains(lower) || lower.startsWith("proxy-")
          || connectionTokens.contains(lower) || lower.startsWith(":")) {
        continue;
      }
      headers.add(name, scrubber == null ? received.value(i)
          : scrubber.headerValue(received.value(i), count));
    }
    if (request.bodyLength() == 0
        && (received.contains("Content-Length") || received.contains("Transfer-Encoding"))) {
      // The client framed an empty body; a body's own length is the transport's to write.
      headers.add("Content-Length", "0");
    }
    appendForwarded(headers, received, "X-Forwarded-For", request.remoteAddress());
    appendForwarded(headers, received, "X-Forwarded-Proto", request.scheme());
    appendForwarded(headers, received, "X-Forwarded-Host", request.host());

    Rewrite rewrite = policy.rewrite();
    for (String name : rewrite.removeHeaders()) {
      headers.removeAll(name);
    }
    for (String name : rewrite.maskHeaders()) {
      headers.replaceValues(name, rewrite.maskValue());
    }
    Redactor.redactHeaders(headers, rewrite);
    Headers set = rewrite.setHeaders();
    for (int i = 0; i < set.size(); i++) {
      headers.set(set.name(i), set.value(i));
    }
    // Then the target's own: a shadow's own credentials replace what the policy masked.
    TargetHeaders own = target.headers();
    if (!own.isEmpty()) {
      for (String name : own.keepHeaders()) {
        headers.removeAll(name);
        for (String value : received.values(name)) {
          headers.add(name, value); // as the client sent it: the operator chose so for this shadow
        }
      }
      for (String name : own.removeHeaders()) {
        headers.removeAll(name);
      }
      for (String name : own.maskHeaders()) {
        headers.replaceValues(name, rewrite.maskValue());
      }
      Headers ownSet = own.setHeaders();
      for (int i = 0; i < ownSet.size(); i++) {
        headers.set(ownSet.name(i), ownSet.value(i));
      }
    }
    String traceparent = received.first("traceparent");
    if (traceparent != null) {
      String copyParent = childTraceparent(traceparent);
      if (copyParent != null) {
        headers.set("traceparent", copyParent); // tracestate goes as it came
      }
    }
    // Last, so no rewrite can take away what stops a copy from being mirrored again.
    headers.set(policy.markerHeader(), requestId);

    String query = Redactor.redactQuery(request.rawQuery(), rewrite);
    java.nio.ByteBuffer body = request.body();
    String rawPath = request.rawPath();
    if (scrubber != null) {
      query = scrubber.query(query, count);
      rawPath = scrubber.path(rawPath, count);
      body = scrubber.body(received, body, count);
    }
    return new ShadowRequest(policy.name(), target, requestId, request.method(),
        uri(target, rewrite.path(rawPath), query), headers.build(), body);
  }

  /**
   * W3C Trace Context: the copy is a new span of the request's trace, so a tracing backend shows
   * primary and copy side by side. Returns null for a value that is not version 00's form (the
   * header then goes as it came).
   */
  static String childTraceparent(String traceparent) {
    String value = traceparent.trim();
    if (value.length() < 55 || value.charAt(2) != '-' || value.charAt(35) != '-'
        || value.charAt(52) != '-' || !hex(value, 0, 2) || !hex(value, 3, 35)
        || !hex(value, 36, 52) || !hex(value, 53, 55) || value.startsWith("ff")) {
      return null;
    }
    long span;
    do {
      span = java.util.concurrent.ThreadLocalRandom.current().nextLong();
    } while (span == 0);
    String spanId = String.format("%016x", span);
    return value.substring(0, 36) + spanId + value.substring(52);
  }

  private static boolean hex(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static String hostHeader(MirrorTarget target, MirroredRequest request) {
    switch (target.hostHeader().mode()) {
      case ORIGINAL:
        return request.host() != null ? request.host() : target.authority();
      case TARGET:
        return target.authority();
      case LITERAL:
        return target.hostHeader().value();
      default:
        throw new AssertionError(target.hostHeader());
    }
  }

  /** Joins the received values of a forwarding header, then appends this hop's value. */
  private static void appendForwarded(
      Headers.Builder headers, Headers received, String name, String value) {
    List<String> values = received.values(name);
    if (value == null && values.isEmpty()) {
      return;
    }
    StringBuilder joined = new StringBuilder();
    for (String v : values) {
      joined.append(joined.length() == 0 ? "" : ", ").append(v);
    }
    if (value != null) {
      joined.append(joined.length() == 0 ? "" : ", ").append(value);
    }
    headers.add(name, joined.toString());
  }

  private static List<String> connectionTokens(Headers received) {
    List<String> values = received.values("Connection");
    if (values.isEmpty()) {
      return List.of();
    }
    List<String> tokens = new ArrayList<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    return tokens;
  }

  private static URI uri(MirrorTarget target, String rawPath, String rawQuery) {
    String text = target.address() + rawPath + (rawQuery == null ? "" : "?" + rawQuery);
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "request target: not a valid URI (" + e.getReason() + " at index " + e.getIndex() + ")", e);
    }
  }
}
