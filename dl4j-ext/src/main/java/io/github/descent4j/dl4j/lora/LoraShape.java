package io.github.descent4j.dl4j.lora;

/** What every LoRA layer configuration ({@link LoraDense}, {@link LoraOutput}) tells its parameters and runtime. */
interface LoraShape {
    int getRank();

    double getAlpha();

    long getNIn();

    long getNOut();

    /** α / r. */
    default double scaling() {
        return getAlpha() / getRank();
    }
}
