/**
 * The Spring Boot starter: auto-configuration of the servlet filter from {@code mirror.*}
 * properties, Micrometer metrics and an actuator endpoint when those are present. Open, as
 * Spring reads and proxies configuration classes by reflection.
 */
open module dev.mirror.spring {
  requires dev.mirror.servlet;
  requires spring.beans;
  requires spring.boot;
  requires spring.boot.autoconfigure;
  requires spring.context;
  requires spring.core;
  requires org.slf4j;
  requires static dev.mirror.micrometer;
  requires static spring.boot.actuator;

  exports dev.mirror.spring;
}
