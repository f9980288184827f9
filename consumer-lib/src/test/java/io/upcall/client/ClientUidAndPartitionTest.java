package io.upcall.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class ClientUidAndPartitionTest {

  @Test
  void generatedUidFollowsGlusterFsLayoutAndDiffersPerClient() {
    String uid = GlusterClientUid.forThisProcess("vol1-client-0").format();

    assertThat(uid)
        .matches(
            "CTX_ID:[0-9a-f-]{36}-GRAPH_ID:0-PID:\\d+-HOST:.+-PC_NAME:vol1-client-0-RECON_NO:-0");
    assertThat(uid).contains("-PID:" + ProcessHandle.current().pid() + "-");
    assertThat(GlusterClientUid.forThisProcess("vol1-client-0").format()).isNotEqualTo(uid);
  }

  @Test
  void partitionIsKafkasDefaultPartitionerChoiceForTheUidAsAStringKey() {
    for (int partitions = 1; partitions <= 64; partitions++) {
      for (int i = 0; i < 50; i++) {
        String uid = GlusterClientUid.forThisProcess("c" + i).format();
        byte[] key = uid.getBytes(StandardCharsets.UTF_8);
        assertThat(InvalidationReader.partitionOf(uid, partitions))
            .isEqualTo(Utils.toPositive(Utils.murmur2(key)) % partitions);
      }
    }
  }
}
