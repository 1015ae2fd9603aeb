/** The JAX-RS entry point: {@code MirrorFeature} and {@code @Mirrored}. */
module dev.mirror.jaxrs {
  requires transitive dev.mirror.core;
  requires transitive jakarta.ws.rs;
  // Only for the admin endpoint at mirror.admin.path: mirror-admin is optional.
  requires static dev.mirror.admin;

  exports dev.mirror.jaxrs;
  // The feature registers package-private filters; JAX-RS runtimes inject their @Context
  // fields by reflection.
  opens dev.mirror.jaxrs;
}
