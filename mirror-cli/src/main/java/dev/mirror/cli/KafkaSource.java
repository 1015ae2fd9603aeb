package dev.mirror.cli;

/**
 * A topic to replay, written {@code kafka://host:port[,host:port]/topic}.
 *
 * @param bootstrap the brokers, {@code host:port[,host:port]}
 * @param topic the topic
 */
record KafkaSource(String bootstrap, String topic) {

  /** The scheme that names a topic rather than a file: {@value}. */
  static final String SCHEME = "kafka://";

  /** True if {@code from} names a topic. */
  static boolean names(String from) {
    return from.startsWith(SCHEME);
  }

  /**
   * Reads {@code kafka://host:port[,host:port]/topic}.
   *
   * @throws IllegalArgumentException naming the option, for another form
   */
  static KafkaSource parse(String option, String from) {
    String rest = from.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(option + ": was " + from
          + ", must be kafka://host:port[,host:port]/topic");
    }
    return new KafkaSource(rest.substring(0, slash), rest.substring(slash + 1));
  }
}
