package io.upcall.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XattrGlobTest {

  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource({
    "user.*, user.foo, true",
    "user.*, user., true",
    "user.*, trusted.foo, false",
    "security.selinux, security.selinux, true",
    "security.selinux, security.selinuxx, false",
    "*, anything, true",
    "*.*, user.a, true",
    "*.*, nodot, false",
    "user.?, user.a, true",
    "user.?, user.ab, false",
    "trusted.[ab]*, trusted.apple, true",
    "trusted.[ab]*, trusted.cherry, false",
    "trusted.[!ab]*, trusted.cherry, true",
    "trusted.[^ab]*, trusted.apple, false",
    "x[a-c]y, xby, true",
    "x[a-c]y, xdy, false",
    "[]]x, ]x, true",
    "a\\*b, a*b, true",
    "a\\*b, axb, false",
    "a[b, a[b, true",
    "*a*b*c*, xxaxxbxxcxx, true",
    "*a*b*c*, xxaxxcxxbxx, false",
    "user.*.cache, user.x.y.cache, true",
  })
  void matchesLikeFnmatch(String pattern, String name, boolean expected) {
    assertThat(XattrGlob.matches(pattern, name)).isEqualTo(expected);
  }
}
