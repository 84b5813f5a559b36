package io.github.descent4j.core.schedule;

/** The constant schedule; one instance, so identity is value equality. */
enum ConstantSchedule implements LearningRateSchedule {
    INSTANCE;

    @Override
    public double factor(long step) {
        return 1.0;
    }

    @Override
    public String spec() {
        return "constant()";
    }
}
