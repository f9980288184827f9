package io.upcall.reliability;

import io.upcall.schemas.topics.UpcallTopics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs of each Upcall role, the least each needs (the README's Security section lists the same as
 * {@code kafka-acls.sh} commands). The Upcall topics are created by an operator (or the streams app with an extra
 * CREATE grant); the streams app only checks them at start.
 */
final class UpcallAcls {
  private UpcallAcls() {}

  /**
   * A brick: writes fops, heartbeats and upcall requests, idempotently, and reads the answers to its lease recalls
   * (its own partition of the replies topic, assigned, no group).
   */
  static List<AclBinding> brick(String principal, UpcallTopics topics) {
    return List.of(
        allow(principal, topic(topics.fops()), AclOperation.WRITE),
        allow(principal, topic(topics.fops()), AclOperation.DESCRIBE),
        allow(principal, topic(topics.replies()), AclOperation.READ),
        allow(principal, cluster(), AclOperation.IDEMPOTENT_WRITE));
  }

  /**
   * A client: reads its invalidation partition (assigned, no group), writes its xattr interest and, with a lease
   * recall listener, its answers to recalls.
   */
  static List<AclBinding> client(String principal, UpcallTopics topics) {
    return List.of(
        allow(principal, topic(topics.invalidations()), AclOperation.READ),
        allow(principal, topic(topics.xattrInterest()), AclOperation.WRITE),
        allow(principal, topic(topics.replies()), AclOperation.WRITE));
  }

  /**
   * The streams app: reads fops and the two compacted topics, writes invalidations and dead letters, checks the
   * configs of all six at start, and owns everything named after its application id: internal topics, its
   * consumer group and its transactional ids.
   */
  static List<AclBinding> streams(String principal, UpcallTopics topics, String applicationId) {
    List<AclBinding> acls = new ArrayList<>();
    for (String name : List.of(topics.fops(), topics.xattrInterest(), topics.config())) {
      acls.add(allow(principal, topic(name), AclOperation.READ));
    }
    for (String name : List.of(topics.invalidations(), topics.fopsDlq())) {
      acls.add(allow(principal, topic(name), AclOperation.WRITE));
    }
    for (String name : topics.all()) {
      acls.add(allow(principal, topic(name), AclOperation.DESCRIBE));
      acls.add(allow(principal, topic(name), AclOperation.DESCRIBE_CONFIGS));
    }
    acls.add(
        allow(
            principal,
            new ResourcePattern(ResourceType.TOPIC, applicationId, PatternType.PREFIXED),
            AclOperation.ALL));
    acls.add(
        allow(
            principal,
            new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.LITERAL),
            AclOperation.READ));
    acls.add(
        allow(
            principal,
            new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED),
            AclOperation.WRITE));
    acls.add(
        allow(
            principal,
            new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED),
            AclOperation.DESCRIBE));
    acls.add(allow(principal, cluster(), AclOperation.IDEMPOTENT_WRITE));
    return acls;
  }

  private static ResourcePattern topic(String name) {
    return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
  }

  private static ResourcePattern cluster() {
    return new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
  }

  private static AclBinding allow(
      String principal, ResourcePattern resource, AclOperation operation) {
    return new AclBinding(
        resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }
}
