package dev.mirror.api;

/** How a policy's path override combines with the request's path (APISIX {@code path_concat_mode}). */
public enum PathMode {
  /** The copy's path is the override; the query string is kept. */
  REPLACE,
  /** The copy's path is the override followed by the request's path; the query string is kept. */
  PREFIX
}
