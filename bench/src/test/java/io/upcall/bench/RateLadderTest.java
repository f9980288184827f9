package io.upcall.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLadderTest {

  @Test
  void aRateFallsToTheRoundRungAtOrBelowIt() {
    assertThat(RateLadder.atOrBelow(1_234)).isEqualTo(1_000);
    assertThat(RateLadder.atOrBelow(1_500)).isEqualTo(1_500);
    assertThat(RateLadder.atOrBelow(4_999)).isEqualTo(3_000);
    assertThat(RateLadder.atOrBelow(9_000)).isEqualTo(7_500);
    assertThat(RateLadder.atOrBelow(600)).isEqualTo(500);
  }

  @Test
  void theLadderClimbsThroughTheFiveThousandTargetAndIntoTheNextDecade() {
    double rate = 1_000;
    StringBuilder rungs = new StringBuilder();
    for (int i = 0; i < 7; i++, rate = RateLadder.above(rate)) {
      rungs.append(Math.round(rate)).append(' ');
    }
    assertThat(rungs.toString().trim()).isEqualTo("1000 1500 2000 3000 5000 7500 10000");
  }

  @Test
  void theLadderDescendsRungByRung() {
    assertThat(RateLadder.below(1_000)).isEqualTo(750);
    assertThat(RateLadder.below(750)).isEqualTo(500);
    assertThat(RateLadder.below(500)).isEqualTo(300);
    assertThat(RateLadder.below(10_000)).isEqualTo(7_500);
  }
}
