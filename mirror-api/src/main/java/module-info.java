/**
 * The public API of mirror: requests, policies, samplers, the dispatcher and the transport SPI
 * ({@link dev.mirror.api.MirrorTransportProvider}, found by {@code dev.mirror.core} through
 * {@link java.util.ServiceLoader}).
 */
module dev.mirror.api {
  // RE2/J has no module name of its own (no module-info, no Automatic-Module-Name): this is the
  // name derived from its jar's file name, re2j-<version>.jar (ARCHITECTURE.md).
  requires re2j;

  exports dev.mirror.api;
}
