/** The servlet entry point: {@code MirrorFilter} and {@code MirrorAdminServlet}. */
module dev.mirror.servlet {
  requires transitive dev.mirror.core;
  requires transitive jakarta.servlet;
  // Only for MirrorAdminServlet and the filter's admin path: mirror-admin is optional.
  requires static dev.mirror.admin;
  requires org.slf4j;

  exports dev.mirror.servlet;
}
