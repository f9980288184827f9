package io.upcall.producers.load;

import java.util.SplittableRandom;

/**
 * Draws ranks 1..n with probability proportional to 1/rank^exponent, in constant time per draw.
 *
 * <p>Uses rejection-inversion (Hörmann and Derflinger, "Rejection-inversion to generate variates from
 * monotone discrete distributions", 1996): no table of n weights is needed, so n may change between draws
 * (files come and go) at the cost of recomputing three constants.
 */
final class ZipfSampler {
  private final double exponent;
  private final SplittableRandom random;

  private int n = -1;
  private double hIntegralX1;
  private double hIntegralN;
  private double squeeze;

  ZipfSampler(double exponent, SplittableRandom random) {
    if (!(exponent >= 0) || Double.isInfinite(exponent)) {
      throw new IllegalArgumentException(
          "zipf exponent must be a finite number >= 0, got " + exponent);
    }
    this.exponent = exponent;
    this.random = random;
  }

  /** A rank in [1, n]; rank 1 is the most likely. */
  int sample(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    if (n == 1) {
      return 1;
    }
    if (exponent == 0) {
      return 1 + random.nextInt(n);
    }
    if (n != this.n) {
      prepare(n);
    }
    while (true) {
      double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
      double x = hIntegralInverse(u);
      int k = (int) (x + 0.5);
      if (k < 1) {
        k = 1;
      } else if (k > n) {
        k = n;
      }
      // Accept at once inside the squeeze, else compare with the exact mass of k.
      if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) {
        return k;
      }
    }
  }

  private void prepare(int n) {
    this.n = n;
    hIntegralX1 = hIntegral(1.5) - 1.0;
    hIntegralN = hIntegral(n + 0.5);
    squeeze = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2));
  }

  private double h(double x) {
    return Math.exp(-exponent * Math.log(x));
  }

  /** An antiderivative of h, well conditioned near exponent 1. */
  private double hIntegral(double x) {
    double logX = Math.log(x);
    return expm1OverX((1.0 - exponent) * logX) * logX;
  }

  private double hIntegralInverse(double x) {
    double t = x * (1.0 - exponent);
    if (t < -1.0) {
      t = -1.0; // guards rounding at the lower end
    }
    return Math.exp(log1pOverX(t) * x);
  }

  private static double log1pOverX(double x) {
    return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }

  private static double expm1OverX(double x) {
    return Math.abs(x) > 1e-8
        ? Math.expm1(x) / x
        : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
  }
}
