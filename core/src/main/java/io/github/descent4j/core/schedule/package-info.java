/**
 * Learning-rate schedules as step → factor functions ({@link io.github.descent4j.core.schedule.LearningRateSchedule}),
 * applied by {@link io.github.descent4j.core.transform.ScaleByLearningRate}.
 */
package io.github.descent4j.core.schedule;
