package io.upcall.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upcall.avro.UpcallRequest;
import io.upcall.avro.UpcallRequestType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UpcallRequestContractTest {
  private static UpcallRequest.Builder recall() {
    return UpcallRequest.newBuilder()
        .setRequestId("b1:1")
        .setVolume("v")
        .setBrick("b1")
        .setClient("c1")
        .setGfid(Gfids.of(UUID.randomUUID()))
        .setEventTimeMs(1000)
        .setType(UpcallRequestType.LEASE_RECALL);
  }

  @Test
  void aCompleteRequestMeetsTheContract() {
    assertThat(UpcallRequestContract.violation(recall().build())).isEmpty();
    assertThat(UpcallRequestContract.violation(recall().setRecallTimeoutSeconds(1).build()))
        .isEmpty();
  }

  @Test
  void aViolationNamesTheField() {
    assertThat(UpcallRequestContract.violation(recall().setClient("").build()))
        .get()
        .asString()
        .startsWith("client must not be empty");
    assertThat(UpcallRequestContract.violation(recall().setRequestId("").build()))
        .contains("requestId must not be empty");
    assertThat(UpcallRequestContract.violation(recall().setGfid(Gfids.of(new UUID(0, 0))).build()))
        .contains("gfid must not be the all-zero (null) gfid");
    assertThat(UpcallRequestContract.violation(recall().setType(UpcallRequestType.UNKNOWN).build()))
        .get()
        .asString()
        .startsWith("type must not be UNKNOWN");
    assertThatThrownBy(
            () -> UpcallRequestContract.check(recall().setRecallTimeoutSeconds(0).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recallTimeoutSeconds must be >= 1, was 0");
  }
}
