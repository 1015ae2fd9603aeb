/** The runtime control endpoint: the seed gateway's and APISIX's routes, JSON in and out. */
module dev.mirror.admin {
  requires transitive dev.mirror.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.mirror.admin;
}
