/** A Micrometer {@code MeterBinder} reading the engine's stats snapshot. */
module dev.mirror.micrometer {
  requires transitive dev.mirror.core;
  requires transitive micrometer.core;

  exports dev.mirror.micrometer;
}
