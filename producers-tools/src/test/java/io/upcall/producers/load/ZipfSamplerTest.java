package io.upcall.producers.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZipfSamplerTest {

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 0.5, 0.99, 1.0, 1.5})
  void frequenciesFollowOneOverRankToTheExponent(double exponent) {
    int n = 20;
    int draws = 400_000;
    ZipfSampler sampler = new ZipfSampler(exponent, new SplittableRandom(42));
    int[] counts = new int[n + 1];
    for (int i = 0; i < draws; i++) {
      counts[sampler.sample(n)]++;
    }
    double norm = 0;
    for (int k = 1; k <= n; k++) {
      norm += Math.pow(k, -exponent);
    }
    assertThat(counts[0]).isZero();
    for (int k = 1; k <= n; k++) {
      double expected = Math.pow(k, -exponent) / norm;
      assertThat(counts[k] / (double) draws).as("rank %d", k).isCloseTo(expected, within(0.005));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 1000, 1_000_000})
  void ranksStayWithinBoundsWhenTheSizeChanges(int n) {
    ZipfSampler sampler = new ZipfSampler(1.0, new SplittableRandom(1));
    for (int i = 0; i < 10_000; i++) {
      int size = i % 2 == 0 ? n : Math.max(1, n / 2);
      assertThat(sampler.sample(size)).isBetween(1, size);
    }
  }
}
