/**
 * Test-scope helpers for users and for descent4j's own tests: the golden-case reader
 * ({@link io.github.descent4j.testkit.GoldenCases}), writers of generated cases of any tensor count and shapes
 * ({@link io.github.descent4j.testkit.GoldenCaseWriter}, {@link io.github.descent4j.testkit.GoldenFunctionCaseWriter}),
 * a conformance harness's tally ({@link io.github.descent4j.testkit.ConformanceTally}) and AssertJ assertions
 * ({@link io.github.descent4j.testkit.Descent4jAssertions}).
 */
package io.github.descent4j.testkit;
