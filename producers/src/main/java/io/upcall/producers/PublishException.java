package io.upcall.producers;

import org.apache.kafka.common.KafkaException;

/**
 * A fop record that was not acknowledged by Kafka; the message says why (broker unreachable, buffer full,
 * delivery timeout, not authorized) and which fop it was, the cause is Kafka's own exception.
 */
public final class PublishException extends KafkaException {
  private static final long serialVersionUID = 1L;

  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
