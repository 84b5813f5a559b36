/**
 * Test-scope helpers for users and for descent4j's own tests: the golden-case reader
 * ({@link io.github.descent4j.testkit.GoldenCases}) and AssertJ assertions
 * ({@link io.github.descent4j.testkit.Descent4jAssertions}).
 */
package io.github.descent4j.testkit;
