package io.github.descent4j.benchmarks;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Silences the training loops' per-epoch INFO logging (descent4j's and Tribuo's), which would swamp the harnesses' tables. */
final class Quiet {
    /** Held strongly: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private static final Logger[] LOGGERS = {Logger.getLogger("io.github.descent4j"), Logger.getLogger("org.tribuo")};

    private Quiet() {}

    static void logs() {
        for (Logger logger : LOGGERS) {
            logger.setLevel(Level.WARNING);
        }
    }
}
