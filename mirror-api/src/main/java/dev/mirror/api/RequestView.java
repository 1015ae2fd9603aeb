package dev.mirror.api;

/**
 * What a {@link Sampler} or a filter may look at to decide whether a request is mirrored.
 *
 * <p>Entry points implement it over their container's request without copying anything, so that
 * a request that is not mirrored costs no allocation. {@link MirroredRequest} implements it too.
 */
public interface RequestView {

  /** Returns the request method, for example {@code GET}. */
  String method();

  /** Returns the path exactly as received, still percent-encoded, for example {@code /a%20b}. */
  String rawPath();

  /** Returns the first value of the named header (any case), or null if absent. */
  String header(String name);

  /**
   * Returns the value of the named cookie from the {@code Cookie} header(s), or null if absent.
   * The default parses {@link #header(String) header("Cookie")}.
   */
  default String cookie(String name) {
    return CookieHeader.find(header("Cookie"), name);
  }

  /** Returns the raw (percent-encoded) query, without {@code ?}, or null; none by default. */
  default String rawQuery() {
    return null;
  }

  /**
   * Returns the first value of a query parameter, percent-decoded (UTF-8), or null. Parses
   * {@link #rawQuery()}; called only for policies that select by query parameter.
   */
  default String queryParameter(String name) {
    return QueryParameters.first(rawQuery(), name);
  }
}
